// The key service: import from '@genos/db/keys'.
export { ensureKeyringFile, fileKeyring, openBytes, sealBytes } from './file-keyring.ts';
export { createKeyService } from './envelope-key-service.ts';
export { prismaDataKeys } from './prisma-data-keys.ts';
export { encryptPlaintextSecrets } from './encrypt-plaintext-secrets.ts';
export { keyServiceFor } from './key-service-for.ts';
export { isSealedFile, openSealedFile, sealFile } from './sealed-file.ts';
