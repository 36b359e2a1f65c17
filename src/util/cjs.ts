/**
 * The exports of a CommonJS package loaded with `import()`. Node gives them as named exports (its
 * lexer finds them) and as `default` (module.exports); a bundle split into chunks gives only `default`.
 * Reading `default` when it is there works in both, so a lazily loaded CommonJS dependency behaves the
 * same in the tests (source) and in dist/ (bundle).
 */
export function commonJsExports<T extends object>(namespace: T): T {
  const exported = (namespace as { default?: unknown }).default;
  return exported && typeof exported === 'object' ? (exported as T) : namespace;
}
