import { X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';

/**
 * The certificate GenOS is served with, for the expiry alert: read from the
 * PEM file (the first certificate in it, the leaf) at every scrape, so a
 * renewal shows at once. Null when the file cannot be read or parsed.
 */
export async function readCertificateExpiry(file: string): Promise<{ subject: string; expiresAt: Date } | null> {
  try {
    const cert = new X509Certificate(await fs.readFile(file));
    return { subject: cert.subject.replace(/\n/g, ', '), expiresAt: new Date(cert.validTo) };
  } catch {
    return null;
  }
}
