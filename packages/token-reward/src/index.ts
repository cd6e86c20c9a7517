/** The package name, for diagnostics. This package is a skeleton until its own issue fills it. */
export const PACKAGE_NAME = '@srcode/token-reward';
