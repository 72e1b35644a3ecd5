using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Google.Protobuf;

namespace Targeting.Grpc;

/// <summary>
/// Length-prefixed messages: a compressed flag (0 or 1), a 4-byte big-endian length, the message.
/// Shared by the server (Kestrel's pipes) and the client (a pipe over the response stream).
/// </summary>
internal static class MessageFraming
{
    // Messages up to this size are serialised into one contiguous span; larger ones stream into
    // the writer's segments so no huge buffer is rented.
    private const int ContiguousWriteLimit = 64 * 1024;

    /// <summary>Frames <paramref name="message"/> into <paramref name="writer"/>, gzipped when asked.</summary>
    /// <returns>The message's serialised size before compression, in bytes (the frame header not included).</returns>
    public static int WriteMessage(IBufferWriter<byte> writer, IMessage message, bool gzip, int maxSendSize)
    {
        var size = message.CalculateSize();
        if (size > maxSendSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Sending message exceeds the maximum configured message size ({size} > {maxSendSize} bytes).");
        }
        if (gzip)
        {
            WriteCompressed(writer, message, size);
            return size;
        }
        if (size <= ContiguousWriteLimit)
        {
            var span = writer.GetSpan(GrpcProtocol.HeaderSize + size);
            span[0] = 0;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)size);
            message.WriteTo(span.Slice(GrpcProtocol.HeaderSize, size));
            writer.Advance(GrpcProtocol.HeaderSize + size);
            return size;
        }
        var header = writer.GetSpan(GrpcProtocol.HeaderSize);
        header[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)size);
        writer.Advance(GrpcProtocol.HeaderSize);
        message.WriteTo(writer);
        return size;
    }

    /// <summary>A framed message as one array (client requests, which may be sent again on retry).</summary>
    public static byte[] ToFramedArray(IMessage message, bool gzip, int maxSendSize)
    {
        var writer = new ArrayBufferWriter<byte>(GrpcProtocol.HeaderSize + message.CalculateSize());
        WriteMessage(writer, message, gzip, maxSendSize);
        return writer.WrittenSpan.ToArray();
    }

    private static void WriteCompressed(IBufferWriter<byte> writer, IMessage message, int size)
    {
        var plain = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        try
        {
            message.WriteTo(plain.AsSpan(0, size));
            using var compressed = new MemoryStream();
            using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(plain, 0, size);
            }
            var length = (int)compressed.Length;
            var span = writer.GetSpan(GrpcProtocol.HeaderSize + length);
            span[0] = 1;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
            compressed.GetBuffer().AsSpan(0, length).CopyTo(span[GrpcProtocol.HeaderSize..]);
            writer.Advance(GrpcProtocol.HeaderSize + length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
        }
    }

    /// <summary>
    /// Takes one whole framed message off the front of <paramref name="buffer"/>. False when more
    /// bytes are needed. Throws RESOURCE_EXHAUSTED as soon as a header announces a message over
    /// <paramref name="maxReceiveSize"/>, and INTERNAL for a compressed flag other than 0 or 1.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxReceiveSize, out bool compressed, out ReadOnlySequence<byte> payload)
    {
        compressed = false;
        payload = default;
        if (buffer.Length < GrpcProtocol.HeaderSize)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[GrpcProtocol.HeaderSize];
        buffer.Slice(0, GrpcProtocol.HeaderSize).CopyTo(header);
        var flag = header[0];
        if (flag > 1)
        {
            throw new RpcException(StatusCode.Internal, $"Invalid compressed flag {flag} in message header (must be 0 or 1).");
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxReceiveSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Received message exceeds the maximum configured message size ({length} > {maxReceiveSize} bytes).");
        }
        if (buffer.Length - GrpcProtocol.HeaderSize < length)
        {
            return false;
        }
        compressed = flag == 1;
        payload = buffer.Slice(GrpcProtocol.HeaderSize, length);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    /// <summary>Reads a message's length from a partial buffer, to reject an oversize one early.</summary>
    public static void CheckAnnouncedLength(ReadOnlySequence<byte> buffer, int maxReceiveSize)
    {
        var unused = buffer;
        TryReadFrame(ref unused, maxReceiveSize, out _, out _);
    }

    /// <summary>Parses a payload, gunzipping it first when its flag says so.</summary>
    public static T Parse<T>(MessageParser<T> parser, ReadOnlySequence<byte> payload, bool compressed, bool gzipNegotiated, int maxReceiveSize)
        where T : IMessage<T>
    {
        if (compressed)
        {
            if (!gzipNegotiated)
            {
                throw new RpcException(StatusCode.Internal, "A message has the compressed flag set but no grpc-encoding was declared.");
            }
            payload = new ReadOnlySequence<byte>(Gunzip(payload, maxReceiveSize));
        }
        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(StatusCode.Internal, "Failed to deserialize the message.", statusDetails: null, trailers: null, innerException: ex);
        }
    }

    private static byte[] Gunzip(ReadOnlySequence<byte> payload, int maxReceiveSize)
    {
        Stream input = payload.IsSingleSegment && MemoryMarshal.TryGetArray(payload.First, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(payload.ToArray(), writable: false);
        try
        {
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                int read;
                while ((read = gzip.Read(chunk, 0, chunk.Length)) > 0)
                {
                    // The limit applies to the decompressed size, or a small bomb could expand without bound.
                    if (output.Length + read > maxReceiveSize)
                    {
                        throw new RpcException(StatusCode.ResourceExhausted, $"Received message exceeds the maximum configured message size after decompression (> {maxReceiveSize} bytes).");
                    }
                    output.Write(chunk, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
            return output.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new RpcException(StatusCode.Internal, "Failed to decompress a gzip message.", statusDetails: null, trailers: null, innerException: ex);
        }
        finally
        {
            input.Dispose();
        }
    }
}
