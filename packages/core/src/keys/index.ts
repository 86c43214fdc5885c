export * from './key-ports';
export * from './audit-through';
export * from './rotate-key-encryption-key';
export * from './user-secrets';
export * from './audited-keys';
export * from './home-volume-keys';
export * from './recording-keys';
export * from './transfer-keys';
