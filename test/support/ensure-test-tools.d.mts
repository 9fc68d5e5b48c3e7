// Types of ensure-test-tools.mjs (a plain script, so `npm test` can run it before anything is built).
export declare const DEBIAN_CHROMIUM: '/usr/bin/chromium';
export declare const DEBIAN_REDIS_SERVER: '/usr/bin/redis-server';
export interface Tool {
  needs: string;
  pkg: string;
  debianPath: string;
  envVar: string;
  elsewhere: string;
  binary: string;
}
export declare const TOOLS: { chromium: Tool; redis: Tool };
export declare function chromiumPath(env?: NodeJS.ProcessEnv): string;
export declare function isExecutable(file: string): boolean;
export declare function onPath(name: string, env?: NodeJS.ProcessEnv): string | undefined;
export interface ToolFacts {
  path: string;
  present: boolean;
  root: boolean;
  aptGet: string | undefined;
}
export type ToolPlan =
  | { action: 'ok' }
  | { action: 'install'; pkg: string }
  | { action: 'stop'; message: string };
export declare function planTool(tool: Tool, facts: ToolFacts): ToolPlan;
export type BrowserPlan =
  | { action: 'ok' }
  | { action: 'install'; commands: string[][] }
  | { action: 'stop'; message: string };
export declare function planBrowser(facts: ToolFacts): BrowserPlan;
