/** A usage problem found after parsing (a bad `--at`, a wrong `--image` root): exit code 64. */
export class UsageError extends Error {}
