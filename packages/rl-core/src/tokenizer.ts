/** Token ids of the byte-level character tokenizer: padding, begin and end of sequence, then printable ASCII. */
export const CHAR_TOKENS = {
  /** Padding. */
  pad: 0,
  /** Start of a sequence. */
  bos: 1,
  /** End of a sequence: sampling stops there. */
  eos: 2,
  /** `\n`, its own code. */
  newline: 10,
  /** Ids are below this. */
  vocabSize: 128,
} as const;

/** Encodes printable ASCII (and newline) one id per character; other characters become '?'. */
export function encodeChars(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    out.push(c === 10 || (c >= 32 && c < 127) ? c : 63);
  }
  return out;
}

/** Decodes ids back to text, stopping at the end-of-sequence token and dropping padding. */
export function decodeChars(ids: readonly number[]): string {
  let s = '';
  for (const id of ids) {
    if (id === CHAR_TOKENS.eos) break;
    if (id === 10 || (id >= 32 && id < 127)) s += String.fromCharCode(id);
  }
  return s;
}
