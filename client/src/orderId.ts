// One id per order the person means to place: pressing Place twice, or repeating after a lost
// answer, sends the same clientOrderId, and the server places at most one order per id.
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function newOrderId(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(20));
  return `web${Array.from(bytes, (byte) => ALPHABET[byte % ALPHABET.length]).join('')}`; // 23 of [A-Za-z0-9_-]
}
