// The settings applier the server calls after /tx/apply and /tx/commit_and_apply (upstream
// thar-be-settings). The real one is injected; it reads settings back through this same API.

export interface ApplyRequest { keys?: string[] } // undefined keys = apply everything (boot)
export type Applier = (request: ApplyRequest) => Promise<void>;
