import GGUF
import TensorCore

/// CLIP's ModifiedResNet image tower (openai/CLIP clip/model.py: ModifiedResNet, Bottleneck) with the
/// attention pool removed, as LiMBeR uses it: the output is the last stage's grid, (h*w, C) row-major,
/// i.e. rearrange(x, "b d h w -> b (h w) d").
public struct ModifiedResNet: Sendable {
    /// One Bottleneck: 1x1 -> 3x3 -> (avgpool if strided) -> 1x1 (x4 channels), plus a shortcut that is
    /// avgpool -> 1x1 conv -> BN when the shape changes. Strides are average pools, not strided convs.
    public struct Bottleneck: Sendable {
        public let conv1: Convolution       // (planes, inplanes, 1, 1)
        public let conv2: Convolution       // (planes, planes, 3, 3), padding 1
        public let conv3: Convolution       // (planes * 4, planes, 1, 1)
        public let downsample: Convolution? // (planes * 4, inplanes, 1, 1)
        public let stride: Int
    }

    public let config: ModifiedResNetConfig
    /// Three 3x3 convolutions: 3 -> width/2 (stride 2), width/2 -> width/2, width/2 -> width; then avgpool 2.
    public let stem: [Convolution]
    /// Four stages of Bottlenecks; the first block of stages 2-4 has stride 2.
    public let stages: [[Bottleneck]]

    /// Binds the encoder's tensors by name and checks every shape against the config.
    public init(gguf g: GGUFFile, config c: ModifiedResNetConfig) throws {
        typealias N = CLIPTensorName
        func conv(_ base: String, _ shape: [Int], stride: Int = 1, padding: Int = 0) throws -> Convolution {
            let w = try g.tensor(N.weight(base), shape: shape)
            let b = try g.tensor(N.bias(base), shape: [shape[0]], types: [.f32, .f16, .bf16])
            return Convolution(name: base, weight: w, bias: b.floats(), stride: stride, padding: padding)
        }
        let half = c.width / 2
        stem = [
            try conv(N.stemConv(1), [half, 3, 3, 3], stride: 2, padding: 1),
            try conv(N.stemConv(2), [half, half, 3, 3], padding: 1),
            try conv(N.stemConv(3), [c.width, half, 3, 3], padding: 1),
        ]
        var inplanes = c.width
        var stages: [[Bottleneck]] = []
        for s in 1...4 {
            let planes = c.planes(stage: s)
            var blocks: [Bottleneck] = []
            for b in 0..<c.layers[s - 1] {
                let stride = (s > 1 && b == 0) ? 2 : 1
                let needsShortcut = stride > 1 || inplanes != planes * 4
                blocks.append(Bottleneck(
                    conv1: try conv(N.blockConv(s, b, 1), [planes, inplanes, 1, 1]),
                    conv2: try conv(N.blockConv(s, b, 2), [planes, planes, 3, 3], padding: 1),
                    conv3: try conv(N.blockConv(s, b, 3), [planes * 4, planes, 1, 1]),
                    downsample: needsShortcut ? try conv(N.blockDownsample(s, b), [planes * 4, inplanes, 1, 1]) : nil,
                    stride: stride))
                inplanes = planes * 4
            }
            stages.append(blocks)
        }
        self.stages = stages
        config = c
    }

    /// Largest inner dimension of any convolution's matrix product (for scratch sizing).
    var maxInnerSize: Int {
        (stem + stages.flatMap { $0.flatMap { [$0.conv1, $0.conv2, $0.conv3] + ($0.downsample.map { [$0] } ?? []) } })
            .map(\.innerSize).max() ?? 1
    }

    /// pixels: (3, n, n) CHW as CLIP's preprocessing produces them -> grid (h*w, C) row-major.
    func callAsFunction(_ pixels: [Float], _ ctx: EncoderContext) -> [Float] {
        let n = config.imageSize
        // channels-last input
        var x = FeatureMap(height: n, width: n, channels: 3)
        for c in 0..<3 { for i in 0..<(n * n) { x.values[i * 3 + c] = pixels[c * n * n + i] } }
        // 1. stem: three conv-BN-ReLU, then a 2x2 average pool
        for conv in stem {
            x = conv(x, ctx)
            x.relu()
        }
        x = x.averagePooled(2)
        // 2. four stages of bottlenecks
        for stage in stages {
            for block in stage {
                var out = block.conv1(x, ctx)
                out.relu()
                out = block.conv2(out, ctx)
                out.relu()
                out = block.conv3(out.averagePooled(block.stride), ctx)
                let identity = block.downsample.map { $0(x.averagePooled(block.stride), ctx) } ?? x
                out.addRelu(identity)
                x = out
            }
        }
        // 3. no attention pool: the (h, w, C) grid is already (h*w, C) row-major
        return x.values
    }
}
