/**
 * Acknowledgement bookkeeping for one connection (RTMP spec 5.4.3, 5.4.4), sans-IO: the caller
 * reports bytes and acknowledgements, and passes the clock (`now`, ms) in.
 *
 * Inbound: the peer's Window Acknowledgement Size says how many bytes it may send before we
 * acknowledge. received(n) answers true when an Acknowledgement is due (the total since the last
 * one reached the window, exactly at the window included); its sequence number is the total
 * received modulo 2^32 (`receivedSequence`). A window of 0 (the initial state) means the peer
 * asked for none.
 *
 * Outbound: sent(n) counts what we wrote; acknowledged(seq, now) records the peer's 32-bit count.
 * The tracker unwraps that count to the value nearest to our own total (within ±2^31), so it keeps
 * working past 4 GiB as long as fewer than 2^31 bytes are unacknowledged (the destination queue
 * bound keeps it far below); an acknowledgement behind an earlier one is stale and moves nothing. Peers
 * differ on whether the handshake counts (SRS counts it, ffmpeg does not), so an acknowledgement
 * of more than we sent simply leaves nothing unacknowledged. Count the handshake in sent() too:
 * being 3073 bytes pessimistic is better than being optimistic.
 */

const TWO_POW_32 = 0x1_0000_0000;
const HALF_RANGE = 0x8000_0000;

export class AcknowledgementTracker {
  private receiveWindow = 0;
  private totalReceived = 0;
  private acknowledgedReceived = 0;

  private totalSent = 0;
  /** The peer's highest count, unwrapped past 2^32 (may run ahead of totalSent: see above). */
  private peerCount = 0;
  private lastAck: number | undefined;

  /** The window from the peer's Window Acknowledgement Size message (0 = never acknowledge). */
  setReceiveWindow(windowSize: number): void {
    this.receiveWindow = windowSize;
  }

  get receiveWindowSize(): number {
    return this.receiveWindow;
  }

  /** Counts n received bytes; true when an Acknowledgement of `receivedSequence` is due now. */
  received(n: number): boolean {
    this.totalReceived += n;
    const window = this.receiveWindow;
    if (window > 0 && this.totalReceived - this.acknowledgedReceived >= window) {
      this.acknowledgedReceived = this.totalReceived;
      return true;
    }
    return false;
  }

  /** Total bytes received, as an unbounded count. */
  get bytesReceived(): number {
    return this.totalReceived;
  }

  /** The sequence number an Acknowledgement carries: total bytes received modulo 2^32. */
  get receivedSequence(): number {
    return this.totalReceived % TWO_POW_32;
  }

  /** Counts n bytes written to the peer. */
  sent(n: number): void {
    this.totalSent += n;
  }

  get bytesSent(): number {
    return this.totalSent;
  }

  /** Records an Acknowledgement from the peer carrying `sequenceNumber`, received at `now` ms. */
  acknowledged(sequenceNumber: number, now: number): void {
    this.lastAck = now;
    // The full count congruent to the 32-bit one and nearest to what we sent (within ±2^31).
    const ahead = ((sequenceNumber >>> 0) - (this.totalSent % TWO_POW_32) + TWO_POW_32) % TWO_POW_32;
    const count = this.totalSent + (ahead < HALF_RANGE ? ahead : ahead - TWO_POW_32);
    if (count > this.peerCount) this.peerCount = count;
  }

  /** Bytes sent that the peer has not acknowledged (all of them while it has acknowledged nothing). */
  get unacknowledgedBytes(): number {
    return Math.max(0, this.totalSent - this.peerCount);
  }

  /** Bytes of ours the peer has acknowledged, unwrapped past 2^32 and capped at what we sent. */
  get acknowledgedBytes(): number {
    return Math.min(this.totalSent, this.peerCount);
  }

  /** When the latest Acknowledgement arrived (ms, the caller's clock); undefined before the first. */
  get lastAckAt(): number | undefined {
    return this.lastAck;
  }
}
