export * from './options';
export * from './capabilities';
export * from './render';
export * from './plumbing';
