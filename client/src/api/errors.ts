// One readable error for everything express_api (or the network) can answer: the gateway's
// envelope {"error": {"code", "message"}} becomes an ApiError; a failed connection a NetworkError.
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

/** No answer at all: the server is down, or the network is. */
export class NetworkError extends Error {
  constructor() {
    super('The server cannot be reached. Check that the gateway is running.');
    this.name = 'NetworkError';
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

/** What a person reads for any error. */
export function readable(error: unknown): string {
  if (error instanceof ApiError) {
    const wait = error.retryAfterS ? ` Try again in ${error.retryAfterS} s.` : '';
    return `${error.message}${wait}`;
  }
  return error instanceof Error ? error.message : String(error);
}
