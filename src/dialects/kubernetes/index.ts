export * from './capabilities';
export * from './render';
export * from './kube-selector';
export * from './cnp-profile';
