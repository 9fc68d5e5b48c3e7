const DISPLAY_NAME = Symbol.for('fastify.display-name');

/**
 * Gives a fastify plugin its name. Fastify names every plugin it registers, and for one without a name
 * it searches the exports of every loaded CommonJS module (require.cache) for the function: under a test
 * runner's loader, with hundreds of modules loaded, that search was about a sixth of an emulator's
 * start, and every test and scenario run starts one.
 */
export function named<T extends object>(plugin: T, name?: string): T {
  const target = plugin as T & { [DISPLAY_NAME]?: string; name?: string };
  target[DISPLAY_NAME] ??= name ?? (target.name || 'emulator-plugin');
  return plugin;
}
