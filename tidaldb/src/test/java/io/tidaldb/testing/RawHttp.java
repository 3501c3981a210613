package io.tidaldb.testing;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
 */
public final class RawHttp implements AutoCloseable {

  private final InetSocketAddress address;
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
    this.address = address;
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
        socket.setSoTimeout(10_000);
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
