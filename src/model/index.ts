export * from './label-selector';
export * from './pod-set';
export * from './peer';
export * from './port';
export * from './http-rule';
export * from './origin';
export * from './statement';
export * from './mtls';
