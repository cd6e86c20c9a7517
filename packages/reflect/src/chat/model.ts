/** One chat message in the OpenAI chat-completions shape. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Asks the server to constrain its reply to a JSON Schema (servers that ignore it are re-asked). */
export interface JsonSchemaFormat {
  type: 'json_schema';
  json_schema: { name: string; schema: object; strict?: boolean };
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** @default the server's default */
  temperature?: number;
  maxTokens?: number;
  /** Sent to the server and part of the cache key, so k samples of one prompt are k distinct requests. */
  seed?: number;
  responseFormat?: JsonSchemaFormat | { type: 'json_object' };
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface ChatResult {
  content: string;
  model: string;
  usage: TokenUsage;
  finishReason: string | undefined;
  /** The answer came from the on-disk cache: no request was sent. */
  cached: boolean;
}

/** Anything that answers chat requests: the HTTP client, or a test double behind a real server. */
export interface ChatModel {
  /** Model name, recorded in verdicts and prompts. */
  readonly name: string;
  complete(request: ChatRequest, options?: { signal?: AbortSignal }): Promise<ChatResult>;
}

/** Running totals a client keeps; cached answers count their tokens under `cachedTokens`. */
export interface ChatStats {
  requests: number;
  retries: number;
  cacheHits: number;
  failures: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

export function emptyStats(): ChatStats {
  return { requests: 0, retries: 0, cacheHits: 0, failures: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0 };
}
