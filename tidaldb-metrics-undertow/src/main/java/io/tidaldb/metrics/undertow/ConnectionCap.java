package io.tidaldb.metrics.undertow;

import java.util.HashSet;
import java.util.Set;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;

/**
 * An open listener that passes at most {@code max} open connections on to the next one, and closes a
 * connection over the cap at once.
 *
 * <pre>{@code
 * ChannelListener<StreamConnection> capped = new ConnectionCap(httpOpenListener, 256);
 * worker.createStreamConnectionServer(address, ChannelListeners.openListenerAdapter(capped), socketOptions);
 * }</pre>
 *
 * <p>XNIO's own cap ({@code Options.CONNECTION_HIGH_WATER}) stops accepting at the cap, which leaves new
 * connections waiting in the kernel's backlog, unanswered, until a slot frees: queued, not refused.
 * This one accepts and closes, so a client over the cap learns at once. A connection leaves the count
 * when it closes (its close listener, chained before Undertow's); should a listener ever be replaced,
 * connections found closed are also dropped from the count whenever it reaches the cap.
 */
final class ConnectionCap implements ChannelListener<StreamConnection> {

  private final ChannelListener<? super StreamConnection> next;
  private final int max;
  /** Guarded by this. */
  private final Set<StreamConnection> open = new HashSet<>();

  ConnectionCap(ChannelListener<? super StreamConnection> next, int max) {
    this.next = next;
    this.max = max;
  }

  @Override
  public void handleEvent(StreamConnection connection) {
    if (!admit(connection)) {
      IoUtils.safeClose(connection);
      return;
    }
    next.handleEvent(connection);
    ChannelListener<? super StreamConnection> undertows = connection.getCloseListener();
    connection.setCloseListener(closed -> {
      release(closed);
      ChannelListeners.invokeChannelListener(closed, undertows);
    });
    if (!connection.isOpen()) {
      release(connection);
    }
  }

  private synchronized boolean admit(StreamConnection connection) {
    if (open.size() >= max) {
      open.removeIf(c -> !c.isOpen());
      if (open.size() >= max) {
        return false;
      }
    }
    open.add(connection);
    return true;
  }

  private synchronized void release(StreamConnection connection) {
    open.remove(connection);
  }
}
