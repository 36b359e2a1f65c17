/** The reporters: pure functions from the engine's Report to text or data. main.ts and the CLI do the I/O. */
export { buildAnnotations, formatAnnotationCommand, GITHUB_ANNOTATIONS_PER_LEVEL } from './annotations.js';
export type { Annotation, AnnotationOptions } from './annotations.js';
export { renderComment, COMMENT_MARKER, COMMENT_CHAR_BUDGET } from './comment.js';
export type { CommentOptions } from './comment.js';
export { renderConsole } from './console.js';
export type { ConsoleOptions } from './console.js';
export { renderJson } from './json.js';
export type { JsonOptions } from './json.js';
export { buildOutputs } from './outputs.js';
export type { OutputOptions } from './outputs.js';
export { renderSarif, SARIF_SCHEMA } from './sarif.js';
export type { SarifOptions } from './sarif.js';
export { renderSummary, SUMMARY_BYTE_BUDGET } from './summary.js';
export type { SummaryOptions } from './summary.js';
