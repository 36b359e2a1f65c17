/** The gate's version, as the JSON report and SARIF name it. Kept in step with package.json by a test. */
export const VERSION = '1.0.0';
