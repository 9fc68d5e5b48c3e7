// A Notifications API channel as a Genesys client uses it: create a channel, subscribe to topics,
// connect to its connectUri, and open a new channel when the socket goes away (v2.system.socket_closing
// when the emulator resets or shuts down).

const RECONNECT_MS = 2000;

/**
 * Opens a channel subscribed to `topics` and calls `onEvent(topicName, eventBody, metadata)` for each frame
 * (heartbeats and pongs are left out). `onState('connected' | 'reconnecting' | 'closed', error?)`
 * reports the socket. Returns `{ close() }`.
 */
export function openNotifications(api, initialTopics, onEvent, onState) {
  const topics = [...initialTopics];
  let channelId;
  let socket;
  let stopped = false;
  let retry;

  const connect = async () => {
    try {
      const channel = await api.request('POST', '/api/v2/notifications/channels');
      channelId = channel.id;
      await api.request(
        'PUT',
        `/api/v2/notifications/channels/${channel.id}/subscriptions`,
        topics.map((id) => ({ id })),
      );
      if (stopped) return;
      socket = new WebSocket(channel.connectUri);
      socket.addEventListener('open', () => onState('connected'));
      socket.addEventListener('message', (message) => {
        const frame = JSON.parse(message.data);
        if (frame.topicName === 'channel.metadata') return;
        if (frame.topicName === 'v2.system.socket_closing') return;
        onEvent(frame.topicName, frame.eventBody, frame.metadata);
      });
      socket.addEventListener('close', () => again());
    } catch (error) {
      again(error);
    }
  };

  const again = (error) => {
    if (stopped) return;
    onState('reconnecting', error);
    clearTimeout(retry);
    retry = setTimeout(connect, RECONNECT_MS);
  };

  connect();
  return {
    /** Adds a topic (POST adds to the list; a reconnect subscribes to every topic again with PUT). */
    add(topic) {
      if (topics.includes(topic)) return;
      topics.push(topic);
      if (channelId) {
        api
          .request('POST', `/api/v2/notifications/channels/${channelId}/subscriptions`, [{ id: topic }])
          .catch((error) => onState('reconnecting', error));
      }
    },
    close() {
      stopped = true;
      clearTimeout(retry);
      socket?.close();
      onState('closed');
    },
  };
}
