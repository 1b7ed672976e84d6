// Symbols as the gateway takes them: letters and digits of any script and - _ . (1-50 after NFC),
// case-insensitive (python_service's symbol rule; Binance lists Unicode symbols too).
// eslint-disable-next-line no-control-regex -- the rule names the ASCII ranges a symbol may not use
const SYMBOL_RULE = /^[^\x00-\x2c/:-@[-^`{-\x7f\s]{1,50}$/u;

/** The symbol as the gateway keys it: NFC, upper case, trimmed. */
export const normalSymbol = (text: string): string => text.normalize('NFC').trim().toUpperCase();

/** Why `text` cannot be a symbol, or null when it can. */
export function symbolProblem(text: string): string | null {
  const symbol = normalSymbol(text);
  if (!symbol) return 'Type a symbol, such as BTCUSDT.';
  if ([...symbol].length > 50) return 'A symbol has at most 50 characters.';
  if (!SYMBOL_RULE.test(symbol)) return 'A symbol is letters and digits (of any script) and - _ . only.';
  return null;
}

/** Up to `limit` of `symbols` that contain `text` (NFC, any case), those starting with it first. */
export function matchSymbols(symbols: string[], text: string, limit = 20): string[] {
  const wanted = normalSymbol(text);
  if (!wanted) return symbols.slice(0, limit);
  const found = symbols.filter((s) => s.normalize('NFC').toUpperCase().includes(wanted));
  const starts = found.filter((s) => s.normalize('NFC').toUpperCase().startsWith(wanted));
  return [...starts, ...found.filter((s) => !starts.includes(s))].slice(0, limit);
}
