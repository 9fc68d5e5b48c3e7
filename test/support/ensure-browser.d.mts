// Types of ensure-browser.mjs (a plain script, so `npm test` can run it before anything is built).
export declare const DEBIAN_CHROMIUM: '/usr/bin/chromium';
export declare function chromiumPath(env?: NodeJS.ProcessEnv): string;
export declare function isExecutable(file: string): boolean;
export declare function onPath(name: string, env?: NodeJS.ProcessEnv): string | undefined;
export type BrowserPlan =
  | { action: 'ok' }
  | { action: 'install'; commands: string[][] }
  | { action: 'stop'; message: string };
export declare function planBrowser(facts: {
  path: string;
  present: boolean;
  root: boolean;
  aptGet: string | undefined;
}): BrowserPlan;
