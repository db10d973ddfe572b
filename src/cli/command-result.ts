/** What a verb hands back to `main`: the exit code it asks for (docs/exit-codes.md). */
export interface CommandResult {
  exitCode: number;
}
