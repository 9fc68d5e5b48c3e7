import type { Fixture } from '../config/fixture-schema.ts';

/**
 * The start-up summary: everything a user needs to point a bridge or an SDK at the emulator, printed
 * after the ready line.
 */
export function startupSummary(baseUrl: string, fx: Fixture, controlPlane: boolean): string {
  const wsBase = baseUrl.replace(/^http/, 'ws');
  const lines: string[] = [];
  const add = (s = '') => lines.push(s);
  add(`  org            ${fx.org.name} (${fx.org.id}), region ${fx.org.region}`);
  add(
    `  login          POST ${baseUrl}/oauth/token  (SDK: client.setGateway({host, port, protocol: 'http'}))`,
  );
  add('  clients');
  for (const c of fx.clients) {
    const who = c.user ? `agent ${fx.users.find((u) => u.id === c.user)?.name ?? c.user}` : 'org-level';
    add(`    ${c.id}  secret ${c.secret}  ${c.name} [${who}]`);
  }
  add('  queues');
  for (const q of fx.queues) add(`    ${q.name.padEnd(24)} ${q.id}  alerting ${q.alertingTimeoutSeconds}s`);
  add('  agents');
  for (const u of fx.users) {
    add(
      `    ${u.name.padEnd(24)} ${u.id}  message ${u.capacity.message ?? 'org default'}, chat ${u.capacity.chat ?? 'org default'}; queues: ${u.queues.join(', ')}`,
    );
  }
  if (fx.deployments.webchat.length) add('  webchat deployments');
  for (const d of fx.deployments.webchat) {
    add(
      `    ${d.id}  ${d.name ?? ''}${d.flow ? ` flow: ${d.flow}` : ' (routingTarget queue)'}${d.disabled ? ' [disabled]' : ''}`,
    );
  }
  if (fx.deployments.messenger.length) add('  messenger deployments');
  for (const d of fx.deployments.messenger) {
    add(`    ${d.id}  ${d.name ?? ''} flow: ${d.flow}`);
    add(`      websocket ${wsBase}/v1?deploymentId=${d.id}`);
  }
  if (fx.openMessaging.length) add('  open messaging integrations');
  for (const o of fx.openMessaging) {
    add(`    ${o.id}  ${o.name} flow: ${o.flow}  secret ${o.secret}`);
    add(
      `      inbound ${baseUrl}/api/v2/conversations/messages/${o.id}/inbound/open/message  webhook -> ${o.webhookUrl}`,
    );
  }
  add(`  console        agent ${baseUrl}/console  customer ${baseUrl}/console/customer`);
  add(`                 timeline ${baseUrl}/console/timeline`);
  if (controlPlane) add(`  control plane  ${baseUrl}/__emulator/`);
  return lines.join('\n');
}
