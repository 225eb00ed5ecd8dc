/**
 * What the draft_tests tool needs beyond GitHub: the model (absent without an LLM: the tool answers
 * from rules alone) and a place to keep a checked draft until a person clicks Open draft PR.
 * Provided by the tests feature (src/features/tests.ts).
 */

export interface DraftFile {
  /** Where the test file is created. */
  path: string;
  /** The source file it tests. */
  source: string;
  code: string;
  /** One line from the model: what the tests cover. */
  covers: string;
  framework: string;
}

export interface SavedDraft {
  owner: string;
  repo: string;
  /** Branch the PR targets and the commit the draft was made at. */
  baseRef: string;
  baseSha: string;
  files: DraftFile[];
  model: string;
  /** Slack user id of who asked (from the job, never from the model). */
  requestedBy: string;
  /** What was asked: "/ops tests acme/shop src/cart.ts". */
  asked: string;
  /** The checks each file passed, for the PR body. */
  checks: string[];
}

export interface TestsPort {
  /** Prompt budget in tokens (TESTS_PROMPT_TOKENS). */
  promptTokens: number;
  /** The model's name; undefined without an LLM. */
  modelName?: string;
  /** One model answer to a system + user prompt (redacted by the caller). Absent without an LLM. */
  complete?(prompt: { system: string; user: string }, signal: AbortSignal): Promise<string>;
  /** Keeps a draft for the buttons (a day); returns its id (`td-…`). */
  save(draft: SavedDraft): Promise<string>;
}
