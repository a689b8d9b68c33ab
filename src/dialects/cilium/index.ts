export * from './capabilities';
export * from './render';
export * from './http-regex';
