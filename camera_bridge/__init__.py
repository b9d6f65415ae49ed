"""Camera bridge: relays office cameras' compressed video to the province without decoding it,
watches their health from key frames only, and receives and stores the video at the province."""
