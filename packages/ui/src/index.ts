export * from './remote-display';
export * from './spec-card';
export * from './state-badge';
export * from './lifetime-banner';
