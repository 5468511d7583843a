// Signing keys of a published repository: generated as PKCS#8 PEM files named by key ID, public
// halves in root.json in the TUF key formats tough and tuf-js read (ed25519 hex, ECDSA and RSA
// as PEM SPKI). Mirrors what tuftool's `root gen-rsa-key` produces, with ed25519 as default.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, constants, type KeyObject } from 'node:crypto';
import { canonicalize } from '@tufjs/canonical-json';
import { Key, Signature } from '@tufjs/models';
import { BrktError } from '../errors';

export type KeyType = 'ed25519' | 'ecdsa' | 'rsa';
export const KEY_TYPES: KeyType[] = ['ed25519', 'ecdsa', 'rsa'];

export interface SigningKey {
  key: Key;
  privatePem: string;
}

/** The TUF description of a public key, as root.json lists it. */
function publicKeyFields(type: KeyType, publicKey: KeyObject) {
  if (type === 'ed25519') {
    // The raw 32-byte key is the tail of its SPKI encoding.
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    return { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: raw.toString('hex') } };
  }
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  if (type === 'ecdsa') return { keytype: 'ecdsa', scheme: 'ecdsa-sha2-nistp256', keyval: { public: pem } };
  return { keytype: 'rsa', scheme: 'rsassa-pss-sha256', keyval: { public: pem } };
}

function toKey(fields: ReturnType<typeof publicKeyFields>): Key {
  // The key ID is the SHA-256 of the key's canonical JSON, as the TUF specification defines it.
  const keyID = createHash('sha256').update(canonicalize(fields)).digest('hex');
  return new Key({ keyID, keyType: fields.keytype, scheme: fields.scheme, keyVal: fields.keyval });
}

export function generateSigningKey(type: KeyType): SigningKey {
  const pair =
    type === 'ed25519' ? generateKeyPairSync('ed25519')
    : type === 'ecdsa' ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    : generateKeyPairSync('rsa', { modulusLength: 3072 });
  return { key: toKey(publicKeyFields(type, pair.publicKey)), privatePem: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

/** A private key file read back; its type comes from the key itself. */
export function loadSigningKey(privatePem: string, source: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(privatePem);
  } catch (error) {
    throw new BrktError('invalid-input', `Failed to read the signing key ${source}: not a PEM private key`, { cause: error });
  }
  const type: KeyType | undefined = privateKey.asymmetricKeyType === 'ed25519' ? 'ed25519' : privateKey.asymmetricKeyType === 'ec' ? 'ecdsa' : privateKey.asymmetricKeyType === 'rsa' ? 'rsa' : undefined;
  if (!type) throw new BrktError('invalid-input', `Unsupported signing key ${source}: ${privateKey.asymmetricKeyType} (use ed25519, ECDSA P-256 or RSA)`);
  return { key: toKey(publicKeyFields(type, createPublicKey(privateKey))), privatePem };
}

/** A signer for `Metadata.sign`: signs the canonical JSON bytes it is given. */
export function signerFor(signing: SigningKey): (data: Buffer) => Signature {
  const privateKey = createPrivateKey(signing.privatePem);
  return data => {
    const signature =
      signing.key.keyType === 'ed25519' ? sign(null, data, privateKey)
      : signing.key.keyType === 'rsa' ? sign('sha256', data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
      : sign('sha256', data, privateKey);
    return new Signature({ keyID: signing.key.keyID, sig: signature.toString('hex') });
  };
}
