export * from './capabilities';
export * from './render';
export * from './selector';
