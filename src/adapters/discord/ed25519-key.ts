// Checks an Ed25519 public key before any signature is verified with it. Node's verify accepts a
// small-order key (the identity point, say), with which one constant signature passes for every
// message, and an invalid encoding, with which nothing ever verifies: both are refused at start.

const P = 2n ** 255n - 19n;
const D = mod(-121665n * inverse(121666n));
const SQRT_M1 = power(2n, (P - 1n) / 4n);

function mod(a: bigint): bigint {
  const r = a % P;
  return r >= 0n ? r : r + P;
}

function power(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

function inverse(a: bigint): bigint {
  return power(a, P - 2n);
}

interface Point {
  x: bigint;
  y: bigint;
}

/** The complete twisted Edwards addition (a = -1): no exceptional cases on the curve. */
function add(a: Point, b: Point): Point {
  const t = mod(D * a.x * b.x * a.y * b.y);
  return {
    x: mod((a.x * b.y + a.y * b.x) * inverse(1n + t)),
    y: mod((a.y * b.y + a.x * b.x) * inverse(1n - t)),
  };
}

/** Decodes a 32-byte key per RFC 8032 5.1.3, refusing non-canonical encodings. */
function decode(bytes: Buffer): Point | string {
  const sign = (bytes[31] as number) >> 7;
  const copy = Buffer.from(bytes);
  copy[31] = (copy[31] as number) & 0x7f;
  const y = BigInt(`0x${Buffer.from(copy).reverse().toString("hex")}`);
  if (y >= P) return "is not canonically encoded (its y coordinate is not below the field prime)";
  const u = mod(y * y - 1n);
  const v = mod(D * y * y + 1n);
  let x = mod(u * power(v, 3n) * power(u * power(v, 7n), (P - 5n) / 8n));
  const vx2 = mod(v * x * x);
  if (vx2 === mod(-u)) x = mod(x * SQRT_M1);
  else if (vx2 !== u) return "is not a point on the Ed25519 curve";
  if (x === 0n && sign === 1) return "is not canonically encoded (negative zero x coordinate)";
  if ((x & 1n) !== BigInt(sign)) x = mod(-x);
  return { x, y };
}

/** Why a Discord public key (64 hex characters) cannot be trusted, or undefined when it can. */
export function ed25519KeyProblem(hex: string): string | undefined {
  if (!/^[0-9a-f]{64}$/i.test(hex)) return "must be 64 hex characters";
  const point = decode(Buffer.from(hex, "hex"));
  if (typeof point === "string") return point;
  let multiple = point;
  for (let i = 0; i < 3; i++) multiple = add(multiple, multiple);
  // [8]P is the identity (0, 1) exactly when P has small order.
  if (multiple.x === 0n && multiple.y === 1n)
    return "is a small-order point, with which forged signatures verify";
  return undefined;
}
