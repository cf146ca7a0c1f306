/**
 * Sealing secrets at rest (webhook signing secrets): AES-256-GCM under a key derived (HKDF-SHA256)
 * from a configured passphrase, so a database dump alone does not reveal them. The box is
 * `v1.<iv>.<ciphertext+tag>` in base64url; a wrong key or a tampered box fails to open.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const INFO = 'userops webhook signing secrets v1';

export class SecretBox {
  private readonly key: Buffer;

  constructor(passphrase: string) {
    if (passphrase.length < 32) throw new Error('the secret key must be at least 32 characters');
    this.key = Buffer.from(hkdfSync('sha256', passphrase, 'userops', INFO, 32));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `v1.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  /** The sealed text, or null when the box is malformed, tampered with, or sealed under another key. */
  open(box: string): string | null {
    const [v, ivText, bodyText] = box.split('.');
    if (v !== 'v1' || !ivText || !bodyText) return null;
    try {
      const iv = Buffer.from(ivText, 'base64url');
      const body = Buffer.from(bodyText, 'base64url');
      if (iv.length !== 12 || body.length < 17) return null;
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
