/** One chat message in the OpenAI chat-completions shape. */
export interface ChatMessage {
  /** Who speaks: the instructions, the user's turn, or the model's answer. */
  role: 'system' | 'user' | 'assistant';
  /** The message text. */
  content: string;
}

/** Asks the server to constrain its reply to a JSON Schema (servers that ignore it are re-asked). */
export interface JsonSchemaFormat {
  /** Always `json_schema`. */
  type: 'json_schema';
  /** The schema, as the chat-completions API nests it. */
  json_schema: {
    /** Name of the answer's type, e.g. `fix_analysis`. */
    name: string;
    /** A JSON Schema object. */
    schema: object;
    /** Asks the server to follow the schema exactly. */
    strict?: boolean;
  };
}

/** One chat-completions request, without the model name (the client adds it). */
export interface ChatRequest {
  /** The conversation so far. */
  messages: ChatMessage[];
  /** Sampling temperature. @default the server's default */
  temperature?: number;
  /** Longest answer, in tokens. @default the server's default */
  maxTokens?: number;
  /** Sent to the server and part of the cache key, so k samples of one prompt are k distinct requests. */
  seed?: number;
  /** Constrains the answer to JSON (a schema, or any JSON object). */
  responseFormat?:
    | JsonSchemaFormat
    | {
        /** Any JSON object. */
        type: 'json_object';
      };
}

/** Tokens one request used, as the server reports them. */
export interface TokenUsage {
  /** Tokens of the messages sent. */
  promptTokens: number;
  /** Tokens of the answer. */
  completionTokens: number;
}

/** A model's answer to one request. */
export interface ChatResult {
  /** The answer text. */
  content: string;
  /** The model that answered, as the server names it. */
  model: string;
  /** Tokens the request used. */
  usage: TokenUsage;
  /** Why the answer ended (`stop`, `length`, ...), when the server says. */
  finishReason: string | undefined;
  /** The answer came from the on-disk cache: no request was sent. */
  cached: boolean;
}

/** Per-call options of `ChatModel.complete`. */
export interface CompleteOptions {
  /** Aborts the request. */
  signal?: AbortSignal;
  /**
   * Whether an answer is usable (parses, fits the schema). Only usable answers are cached, and a cached
   * answer that is not usable is asked again, so an off-schema answer never sticks. @default every answer
   */
  usable?: (content: string) => boolean;
}

/** Anything that answers chat requests: the HTTP client, or a test double behind a real server. */
export interface ChatModel {
  /** Model name, recorded in verdicts and prompts. */
  readonly name: string;
  /** Answers one request; `signal` aborts it. */
  complete(request: ChatRequest, options?: CompleteOptions): Promise<ChatResult>;
}

/** Running totals a client keeps; cached answers count their tokens under `cachedTokens`. */
export interface ChatStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Requests that were retries of a failed attempt. */
  retries: number;
  /** Answers served from the disk cache. */
  cacheHits: number;
  /** Requests given up on: a failure that is not retried, or the last retry failed. */
  failures: number;
  /** Prompt tokens of the answers received from the server. */
  promptTokens: number;
  /** Completion tokens of the answers received from the server. */
  completionTokens: number;
  /** Prompt and completion tokens of the answers served from the cache. */
  cachedTokens: number;
}

/** Stats with every count at zero. */
export function emptyStats(): ChatStats {
  return { requests: 0, retries: 0, cacheHits: 0, failures: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0 };
}
