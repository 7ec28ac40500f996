/** Key-value persistence of opaque bytes. Implementations must be safe to call concurrently for different keys. */
export interface Storage {
  /** The bytes stored under `key` (a fresh copy), or undefined when there are none. */
  get(key: string): Promise<Uint8Array | undefined>
  /** Stores a copy of `value` under `key`, replacing any previous value. */
  set(key: string, value: Uint8Array): Promise<void>
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>
  /** Every stored key that starts with `prefix` (`''` lists all), sorted. */
  keys(prefix: string): Promise<string[]>
}

/**
 * Where the AES-256-GCM key of {@link sealedStorage} comes from.
 *
 * - `webcrypto-nonextractable` (browsers): a non-extractable CryptoKey generated once and kept in
 *   IndexedDB (database `namespace`, default `'pairline'`, object store `keys`). Script in the origin can
 *   use it but never read its bytes, so an XSS can decrypt while it runs but cannot exfiltrate the key.
 * - `raw`: 32 bytes the app provides (e.g. from the OS keystore). They are imported as a
 *   non-extractable CryptoKey; the caller's array is left untouched and remains the caller's to wipe.
 * - `key-file` (Node only, from `@pairline/sdk/storage/file`): 32 random bytes in a file created with
 *   mode 0o600 on first use and reused afterwards. Weaker: anyone who can read the file (same user,
 *   backups) can decrypt. Meant for servers, CLIs and demos.
 */
export type SealingKeySource =
  | { kind: 'webcrypto-nonextractable'; namespace?: string | undefined }
  | { kind: 'raw'; key: Uint8Array }
  | { kind: 'key-file'; path: string }
