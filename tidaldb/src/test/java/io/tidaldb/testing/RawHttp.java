package io.tidaldb.testing;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An HTTP/1.1 client on one raw, kept-alive socket, for tests that must see what the wire carries:
 * the connection's reuse and the timing of each response. It reconnects when a response says
 * {@code Connection: close}.
 *
 * <pre>{@code
 * try (RawHttp http = new RawHttp(address)) {
 *   RawHttp.Response response = http.exchange("GET", "/metrics");
 * }
 * }</pre>
 *
 * <p>It also plays the slow client: {@link #stall(InetSocketAddress, String)} opens a connection that
 * sends a few bytes and then nothing, and {@link #closedByServer(Socket)} tells whether the server has
 * since closed it.
 */
public final class RawHttp implements AutoCloseable {

  private static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);

  private final InetSocketAddress address;
  private final int readTimeoutMillis;
  private Socket socket;
  private InputStream in;
  private OutputStream out;
  private int connections;

  /**
   * A client for one server; it connects on the first request.
   *
   * @param address the server
   */
  public RawHttp(InetSocketAddress address) {
    this(address, DEFAULT_READ_TIMEOUT);
  }

  /**
   * A client for one server whose reads give up after {@code readTimeout}.
   *
   * @param address the server
   * @param readTimeout how long a read waits for the server before {@link #exchange} throws
   */
  public RawHttp(InetSocketAddress address, Duration readTimeout) {
    this.address = address;
    this.readTimeoutMillis = Math.toIntExact(readTimeout.toMillis());
  }

  /**
   * Opens a connection that sends {@code sent} (part of a request, such as {@code "G"}) and then
   * stalls: a slow or hostile client.
   *
   * @param address the server
   * @param sent the bytes to send, as ASCII
   * @return the open connection; the caller closes it
   */
  public static Socket stall(InetSocketAddress address, String sent) {
    Socket stalled = new Socket();
    try {
      stalled.setTcpNoDelay(true);
      stalled.connect(address, 5_000);
      stalled.getOutputStream().write(sent.getBytes(StandardCharsets.US_ASCII));
      stalled.getOutputStream().flush();
      return stalled;
    } catch (IOException e) {
      try {
        stalled.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new UncheckedIOException("cannot open a stalled connection to " + address, e);
    }
  }

  /**
   * Whether the server has closed {@code connection}: reads what the server sent (a response, if any)
   * without waiting more than a moment, and answers true on end of stream or a reset.
   *
   * @param connection a connection from {@link #stall(InetSocketAddress, String)}
   * @return true if the server closed it; false if it is still open
   */
  public static boolean closedByServer(Socket connection) {
    try {
      connection.setSoTimeout(20);
      InputStream in = connection.getInputStream();
      byte[] buffer = new byte[8192];
      while (true) {
        if (in.read(buffer) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends one request without a body, and reads the whole response.
   *
   * @param method the method
   * @param path the path
   * @return the response
   */
  public Response exchange(String method, String path) {
    try {
      if (socket == null) {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(address, 5_000);
        socket.setSoTimeout(readTimeoutMillis);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        connections++;
      }
      out.write((method + " " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + ":" + address.getPort()
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String status = line();
      Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (String header = line(); !header.isEmpty(); header = line()) {
        int colon = header.indexOf(':');
        headers.put(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
      }
      int length = method.equals("HEAD") ? 0 : Integer.parseInt(headers.getOrDefault("Content-Length", "0"));
      byte[] body = in.readNBytes(length);
      if (body.length != length) {
        throw new EOFException("the body ended after " + body.length + " of " + length + " bytes");
      }
      if (headers.getOrDefault("Connection", "").toLowerCase(Locale.ROOT).equals("close")) {
        close();
      }
      return new Response(Integer.parseInt(status.split(" ")[1]), headers, body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@return how many connections this client has opened} */
  public int connections() {
    return connections;
  }

  private String line() throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new EOFException("the connection closed mid-response");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  /** Closes the connection, if open. */
  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        socket = null;
      }
    }
  }

  /**
   * One response.
   *
   * @param status the status code
   * @param headers the headers, by case-insensitive name
   * @param body the body
   */
  public record Response(int status, Map<String, String> headers, byte[] body) {}
}
