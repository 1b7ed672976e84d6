// One readable error for everything express_api (or the network) can answer: the gateway's
// envelope {"error": {"code", "message", ...}} becomes an ApiError; a failed connection a NetworkError.
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfterS: number | null;
  /** The envelope's other fields: risk_limit's limit and value, looser_than_ceiling's limits and ceilings. */
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, retryAfterS: number | null = null,
    details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterS = retryAfterS;
    this.details = details;
  }
}

/** No answer at all: the server is down, or the network is. */
export class NetworkError extends Error {
  constructor() {
    super('The server cannot be reached. Check that the gateway is running.');
    this.name = 'NetworkError';
  }
}

type Envelope = { error?: { code?: unknown; message?: unknown } & Record<string, unknown> };

function retryAfter(response: Response | undefined): number | null {
  const value = Number(response?.headers.get('retry-after'));
  return Number.isFinite(value) && value > 0 ? value : null;
}

/** The ApiError for a failed answer: the envelope's code and message, or a message of our own. */
export function errorFrom(status: number, body: unknown, response?: Response): ApiError {
  const error = (body as Envelope | null)?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    const { code, message, ...details } = error;
    return new ApiError(status, code, message, retryAfter(response), details);
  }
  return new ApiError(status, 'http_error', `The server answered HTTP ${status}`, retryAfter(response));
}

/** The risk limits in words, as the risk page and refusals name them. */
export const LIMIT_NAMES: Record<string, string> = {
  max_order_notional: 'largest order value',
  max_orders_per_min: 'orders per minute',
  allowed_symbols: 'allowed symbols',
  max_leverage: 'highest leverage',
  trading_halted: 'trading halted',
};

/** A limit's value as a person reads it: "100 USDT", "BTCUSDT, ETHUSDT", "20x". */
export function limitValue(limit: string, value: unknown): string {
  if (value === null || value === undefined) return 'no limit';
  if (limit === 'max_order_notional') return `${String(value)} USDT`;
  if (limit === 'max_leverage') return `${String(value)}x`;
  if (limit === 'trading_halted') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
  return String(value);
}

const limitName = (limit: string) => LIMIT_NAMES[limit] ?? limit;

function riskRefusal(error: ApiError): string {
  const limit = typeof error.details.limit === 'string' ? error.details.limit : null;
  const named = !limit ? 'a risk limit' : limit === 'trading_halted' ? 'the risk limit trading_halted (trading is halted)'
    : `the risk limit ${limit} (${limitName(limit)}: ${limitValue(limit, error.details.value)})`;
  return `Refused by ${named}. ${sentence(error.message)} Nothing was sent to Binance.`;
}

function looserThanCeiling(error: ApiError): string {
  const limits = Array.isArray(error.details.limits) ? error.details.limits.map(String) : [];
  const ceilings = (error.details.ceilings ?? {}) as Record<string, unknown>;
  const each = limits.map((limit) => `${limitName(limit)} at most ${limitValue(limit, ceilings[limit])}`);
  if (!each.length) return error.message;
  return `Looser than the gateway's settings allow: ${each.join('; ')}. An admin may only tighten the limits.`;
}

/** The server's message as a sentence: a capital first, one full stop last. */
const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1).replace(/\.?$/, '.')}`;

/** What a person reads for any error. */
export function readable(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'risk_limit') return riskRefusal(error);
    if (error.code === 'looser_than_ceiling') return looserThanCeiling(error);
    const wait = error.retryAfterS ? ` Try again in ${error.retryAfterS} s.` : '';
    return `${error.message}${wait}`;
  }
  return error instanceof Error ? error.message : String(error);
}
