export * from './ids';
export * from './reconcile';
export * from './suppressions';
