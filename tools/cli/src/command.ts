/** A CLI command: a name, a one-line summary, and a run function returning the exit code. */
export interface Command {
  name: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}
