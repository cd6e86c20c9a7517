import type { Language } from './types.js';

/** File extension (without dot, lower case) → language. One table, no branching on names elsewhere. */
const EXTENSIONS: Record<string, Language> = {
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  cxx: 'cpp',
  hpp: 'cpp',
  hh: 'cpp',
  py: 'python',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  ts: 'typescript',
  tsx: 'typescript',
  rb: 'ruby',
  go: 'go',
  java: 'java',
  php: 'php',
  cs: 'csharp',
  rs: 'rust',
};

/** The language of a source file from its name, or undefined for an unknown extension. */
export function languageFromFileName(fileName: string): Language | undefined {
  const dot = fileName.lastIndexOf('.');
  if (dot === -1) return undefined;
  return EXTENSIONS[fileName.slice(dot + 1).toLowerCase()];
}
