// One readable error for everything express_api (or the network) can answer: the gateway's
// envelope {"error": {"code", "message"}} becomes an ApiError; anything else gets a plain message.
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfterS: number | null;

  constructor(status: number, code: string, message: string, retryAfterS: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterS = retryAfterS;
  }
}

type Envelope = { error?: { code?: unknown; message?: unknown } };

function retryAfter(response: Response | undefined): number | null {
  const value = Number(response?.headers.get('retry-after'));
  return Number.isFinite(value) && value > 0 ? value : null;
}

/** The ApiError for a failed answer: the envelope's code and message, or a message of our own. */
export function errorFrom(status: number, body: unknown, response?: Response): ApiError {
  const error = (body as Envelope | null)?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ApiError(status, error.code, error.message, retryAfter(response));
  }
  return new ApiError(status, 'http_error', `The server answered HTTP ${status}`, retryAfter(response));
}

/** What a person reads for any error, ApiError or not. */
export function readable(error: unknown): string {
  if (error instanceof ApiError) {
    const wait = error.retryAfterS ? ` Try again in ${error.retryAfterS} s.` : '';
    return `${error.message}${wait}`;
  }
  if (error instanceof TypeError) return 'The server cannot be reached. Check that the gateway is running.';
  return error instanceof Error ? error.message : String(error);
}
