"""Rolling segments written from compressed packets: cut on key frames, playable, bounded."""

from fractions import Fraction

import av
import pytest
from clips import count_frames, make_clip

from camera_bridge.segments import SegmentWriter, nal_types
from camera_bridge.wire import Header, StreamConfig


@pytest.fixture(scope="module")
def annexb(tmp_path_factory):
    """Packets (pts, dts, key, bytes) of a 60-frame, 10 fps, GOP-10 H.264 clip, and its config."""
    path = make_clip(tmp_path_factory.mktemp("clip") / "clip.ts", "moving", frames=60)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        packets = [(p.pts, p.dts, p.is_keyframe, bytes(p)) for p in container.demux(stream) if p.size]
        tb = Fraction(stream.time_base)
    sps_pps = b"".join(nal for nal in split_nals(packets[0][3]) if nal_types("h264", nal) & {7, 8})
    return packets, StreamConfig("h264", 320, 240, tb, 10.0, sps_pps)


def split_nals(data: bytes) -> list[bytes]:
    starts = [i for i in range(len(data) - 3) if data[i:i + 4] == b"\x00\x00\x00\x01"]
    return [data[a:b] for a, b in zip(starts, starts[1:] + [len(data)], strict=True)]


def feed(writer, packets, config, session=1, seq0=0, skip=()):
    for seq, (pts, dts, key, data) in enumerate(packets, start=seq0):
        if seq in skip:
            continue
        writer.write(Header("cam", session, seq, pts, dts, 0.0, key), data, config if key else None)


def test_segments_cut_on_key_frames_and_play_every_frame(tmp_path, annexb):
    packets, config = annexb
    writer = SegmentWriter(tmp_path, segment_s=2.0, keep=100, fmt="ts")
    feed(writer, packets, config)
    writer.close()
    files = sorted(tmp_path.glob("*.ts"))
    assert len(files) == 3  # 6 s of video in 2 s segments
    assert count_frames(files) == 60 == writer.frames_written
    for path in files:
        with av.open(str(path)) as container:
            assert next(container.demux(video=0)).is_keyframe
    playlist = (tmp_path / "index.m3u8").read_text().splitlines()
    assert playlist[:4] == ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:2", "#EXT-X-MEDIA-SEQUENCE:0"]
    assert [line for line in playlist if line.endswith(".ts")] == [f.name for f in files]
    assert playlist.count("#EXTINF:2.000,") == 3


def test_only_the_newest_segments_are_kept(tmp_path, annexb):
    packets, config = annexb
    (tmp_path / "20200101T000000Z-000000.ts").write_bytes(b"from an earlier run")
    writer = SegmentWriter(tmp_path, segment_s=1.0, keep=2, fmt="ts")
    feed(writer, packets, config)
    writer.close()
    files = sorted(tmp_path.glob("*.ts"))
    assert len(files) == 2 and "20200101" not in files[0].name
    assert count_frames(files) == 20
    assert "#EXT-X-MEDIA-SEQUENCE:4" in (tmp_path / "index.m3u8").read_text()


def test_a_new_session_starts_a_segment_and_a_gap_waits_for_a_key_frame(tmp_path, annexb):
    packets, config = annexb
    writer = SegmentWriter(tmp_path, segment_s=60.0, keep=100, fmt="ts")
    feed(writer, packets[:30], config, session=1, skip={14, 15})  # a hole in the second GOP
    feed(writer, packets[:20], config, session=2)  # the camera reconnected: timestamps start over
    writer.close()
    files = sorted(tmp_path.glob("*.ts"))
    assert len(files) == 2
    assert writer.skipped == 4  # packets 16..19, undecodable without 14 and 15
    assert count_frames(files[:1]) == 30 - 2 - 4 and count_frames(files[1:]) == 20
    assert "#EXT-X-DISCONTINUITY" in (tmp_path / "index.m3u8").read_text()


def test_packets_before_the_first_key_frame_are_skipped(tmp_path, annexb):
    packets, config = annexb
    writer = SegmentWriter(tmp_path, segment_s=60.0, keep=100, fmt="ts")
    feed(writer, packets[5:25], config)
    writer.close()
    assert writer.skipped == 5 and count_frames(sorted(tmp_path.glob("*.ts"))) == 15


def test_mp4_segments_play(tmp_path, annexb):
    packets, config = annexb
    writer = SegmentWriter(tmp_path, segment_s=3.0, keep=100, fmt="mp4")
    feed(writer, packets, config)
    writer.close()
    files = sorted(tmp_path.glob("*.mp4"))
    assert len(files) == 2 and count_frames(files) == 60
    assert not (tmp_path / "index.m3u8").exists()


def test_parameter_sets_sent_only_out_of_band_are_put_back(tmp_path, annexb):
    packets, config = annexb
    bare = [(pts, dts, key, b"".join(n for n in split_nals(data) if not nal_types("h264", n) & {7, 8}))
            for pts, dts, key, data in packets]
    assert not nal_types("h264", bare[0][3]) & {7, 8}
    writer = SegmentWriter(tmp_path, segment_s=60.0, keep=100, fmt="ts")
    feed(writer, bare, config)
    writer.close()
    assert count_frames(sorted(tmp_path.glob("*.ts"))) == 60
