import { createDecipheriv, randomBytes, timingSafeEqual } from "node:crypto";
import { encrypt as wecomEncrypt, getSignature } from "@wecom/crypto";

// WeCom's callback crypto (加解密方案): msg_signature = sha1 of the sorted [token, timestamp, nonce, Encrypt];
// Encrypt = base64(AES-256-CBC(random 16 bytes + 4-byte big-endian length + message + receive id)),
// key = base64(EncodingAESKey + "="), IV = the key's first 16 bytes, PKCS#7 padding to a 32-byte block.
// `@wecom/crypto` signs and encrypts soundly, but its `decrypt` checks neither the padding nor the
// length nor the receive id, so opening a message is done here with every check.

/** Why a callback could not be opened; the route maps each to a 4xx, never a stack trace. */
export type WecomCryptoErrorCode =
  /** msg_signature is not sha1(sorted token, timestamp, nonce, Encrypt): forged, or signed with another token. */
  | "bad-signature"
  /** Encrypt is not strict base64 of whole 32-byte blocks (garbage, or truncated in transit). */
  | "bad-ciphertext"
  /** The PKCS#7 padding is wrong: tampered with, or encrypted with another key. */
  | "bad-padding"
  /** The length prefix points past the plaintext, or the message is not UTF-8. */
  | "bad-length"
  /** The receive id after the message is not our corp id: meant for another company. */
  | "wrong-receiver";

/** A callback that failed authentication or decryption. */
export class WecomCryptoError extends Error {
  override name = "WecomCryptoError";
  constructor(readonly code: WecomCryptoErrorCode) {
    super(`WeCom callback refused: ${code}`);
  }
}

/** The three secrets of a WeCom app's callback, and whose messages it receives. */
export interface WecomCallbackKeys {
  readonly token: string;
  readonly encodingAesKey: string;
  readonly corpId: string;
}

const BLOCK = 32;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function aesKey(encodingAesKey: string): Buffer {
  const key = Buffer.from(`${encodingAesKey}=`, "base64");
  if (key.length !== 32) throw new RangeError("WECOM_ENCODING_AES_KEY must decode to 32 bytes (43 characters from the console)");
  return key;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True when `signature` signs `encrypt`; compared in constant time so timing reveals nothing of the right one. */
export function signatureMatches(keys: WecomCallbackKeys, timestamp: string, nonce: string, encrypt: string, signature: string): boolean {
  return sameBytes(Buffer.from(getSignature(keys.token, timestamp, nonce, encrypt), "utf8"), Buffer.from(signature, "utf8"));
}

/**
 * Verifies the signature, decrypts and checks padding, length and receive id; returns the message.
 * The signature is checked first, so without the token nobody can probe the padding check (no oracle).
 */
export function openCallback(keys: WecomCallbackKeys, params: { signature: string; timestamp: string; nonce: string }, encrypt: string): string {
  if (!signatureMatches(keys, params.timestamp, params.nonce, encrypt, params.signature)) throw new WecomCryptoError("bad-signature");
  return decryptMessage(keys, encrypt);
}

/** Decrypts an Encrypt value with every check `@wecom/crypto` leaves out. Callers verify the signature first. */
export function decryptMessage(keys: WecomCallbackKeys, encrypt: string): string {
  if (encrypt.length % 4 !== 0 || !BASE64.test(encrypt)) throw new WecomCryptoError("bad-ciphertext");
  const data = Buffer.from(encrypt, "base64");
  if (data.length === 0 || data.length % BLOCK !== 0) throw new WecomCryptoError("bad-ciphertext");
  const key = aesKey(keys.encodingAesKey);
  const decipher = createDecipheriv("aes-256-cbc", key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(data), decipher.final()]);
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > BLOCK || !plain.subarray(plain.length - pad).every((byte) => byte === pad)) throw new WecomCryptoError("bad-padding");
  const body = plain.subarray(0, plain.length - pad);
  if (body.length < 20) throw new WecomCryptoError("bad-length");
  const length = body.readUInt32BE(16);
  if (length > body.length - 20) throw new WecomCryptoError("bad-length");
  if (!sameBytes(body.subarray(20 + length), Buffer.from(keys.corpId, "utf8"))) throw new WecomCryptoError("wrong-receiver");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(body.subarray(20, 20 + length));
  } catch {
    throw new WecomCryptoError("bad-length");
  }
}

/** Escapes text for a CDATA section: `]]>` cannot appear inside one, so it is split across two. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replace(/]]>/g, "]]]]><![CDATA[>")}]]>`;
}

/**
 * A passive reply (被动回复) as WeCom expects it in the callback's answer: the plaintext XML encrypted for
 * our corp id with `@wecom/crypto`, signed, and wrapped with its timestamp and a fresh nonce.
 */
export function sealReply(keys: WecomCallbackKeys, plaintextXml: string, timestamp: string, nonce: string = randomBytes(8).toString("hex")): string {
  aesKey(keys.encodingAesKey);
  const encrypted = wecomEncrypt(keys.encodingAesKey, plaintextXml, keys.corpId);
  const signature = getSignature(keys.token, timestamp, nonce, encrypted);
  return `<xml><Encrypt>${cdata(encrypted)}</Encrypt><MsgSignature>${cdata(signature)}</MsgSignature><TimeStamp>${timestamp}</TimeStamp><Nonce>${cdata(nonce)}</Nonce></xml>`;
}
