export * from './capabilities';
export * from './render';
