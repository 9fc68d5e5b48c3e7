import { defaultFixture, type Fixture, type FixtureInput, parseFixtureSource } from '../../emulator/index.ts';

/**
 * The default org plus one more inbound message flow and a Messenger deployment that runs it, for
 * tests that need a flow of their own without writing a whole fixture.
 */
export function withMessengerFlow(
  flowYaml: string,
  options: { flowName: string; deploymentId: string; deployment?: Record<string, unknown> },
): Fixture {
  const fx = structuredClone(defaultFixture()) as unknown as {
    flows: unknown[];
    deployments: { messenger: Record<string, unknown>[] };
  };
  fx.flows.push({ name: options.flowName, type: 'inboundShortMessage', yaml: flowYaml });
  fx.deployments.messenger.push({
    ...fx.deployments.messenger[0]!,
    ...options.deployment,
    id: options.deploymentId,
    flow: options.flowName,
  });
  return parseFixtureSource(fx as unknown as FixtureInput);
}
