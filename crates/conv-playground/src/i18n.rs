//! Every visible string, in English and Chinese. `tr` looks a key up; a test checks that every
//! key has both languages and that every key the code uses exists.

use serde::{Deserialize, Serialize};

/// The page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub const fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// `en`, `zh`, or a browser language tag such as `zh-CN` / `en-US`.
    pub fn from_code(code: &str) -> Option<Lang> {
        let lower = code.trim().to_ascii_lowercase();
        if lower == "en" || lower.starts_with("en-") {
            Some(Lang::En)
        } else if lower == "zh" || lower.starts_with("zh-") {
            Some(Lang::Zh)
        } else {
            None
        }
    }
}

/// `(key, English, 中文)`.
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("title", "Conv Playground", "卷积层互动图解"),
    ("subtitle", "Every advanced convolution layer, live: drag a slider, watch the maps, the shapes and the cost change.", "高级卷积层的实时可视化：拖动滑块，观察特征图、形状和计算量的变化。"),
    ("layer", "Layer type", "层类型"),
    ("layer.standard", "Standard", "普通卷积"),
    ("layer.depthwise", "Depthwise", "深度卷积"),
    ("layer.pointwise", "Pointwise", "逐点卷积"),
    ("layer.separable", "Depthwise separable", "深度可分离卷积"),
    ("layer.transposed", "Transposed", "转置卷积（反卷积的一种）"),
    ("layer.upsample", "Upsample + conv", "上采样 + 卷积"),
    ("layer.dilated", "Dilated (atrous)", "空洞卷积（扩张卷积）"),
    ("layer.grouped", "Grouped", "分组卷积"),
    ("about.standard", "C_out kernels, each k×k×C_in: every kernel sees every input channel and writes one output map.", "共 C_out 个卷积核，每个形状为 k×k×C_in：每个核作用于全部输入通道，输出一张特征图。"),
    ("about.depthwise", "Each input channel has its own k×k×1 kernels (one, or m of them when C_out = m·C_in): channels are filtered separately and never mixed.", "每个输入通道有自己的 k×k×1 核（一个；当 C_out = m·C_in 时为 m 个）：各通道分别卷积，互不混合。"),
    ("about.pointwise", "1×1×C_in kernels: mix the channels at each pixel, change the channel count, keep the size.", "1×1×C_in 的核：在每个像素处混合通道，改变通道数，尺寸不变。"),
    ("about.separable", "Depthwise then pointwise: spatial filtering per channel, then 1×1 mixing. Far fewer weights and MACs.", "先深度卷积再逐点卷积：先逐通道做空间滤波，再用 1×1 混合通道，参数和计算量都少得多。"),
    ("about.transposed", "Insert stride − 1 zeros between pixels, pad, then convolve: the map grows.", "在像素之间插入（步长 − 1）个 0，再填充并做普通卷积：特征图变大。"),
    ("about.upsample-bilinear", "Interpolate the map scale_factor times larger: each new pixel mixes its four nearest input pixels by distance (bilinear), then convolve; no parameters in the upsampling.", "把特征图双线性插值放大（上采样倍数）倍：每个新像素按距离混合最近的四个输入像素，再做卷积；上采样本身没有参数。"),
    ("about.upsample", "Copy each pixel scale_factor² times (nearest neighbour), then convolve: no zeros, no parameters in the upsampling.", "把每个像素复制（上采样倍数）² 次（最近邻），再做卷积：没有插零，上采样本身没有参数。"),
    ("about.dilated", "Gaps of rate − 1 between kernel weights: a larger receptive field with the same number of weights.", "在核的元素之间留出（膨胀率 − 1）个间隔：权重数量不变，感受野变大。"),
    ("about.grouped", "Channels split into groups; each kernel sees only its own group. groups = 1 is standard, groups = C_in is depthwise.", "通道被分成若干组，每个核只作用于本组的通道。groups = 1 即普通卷积，groups = C_in 即深度卷积。"),
    ("param.height", "Height", "高度"),
    ("param.width", "Width", "宽度"),
    ("param.in_channels", "Input channels", "输入通道数"),
    ("param.out_channels", "Output channels", "输出通道数"),
    ("param.kernel_size", "Kernel size", "卷积核大小"),
    ("param.stride", "Stride", "步长"),
    ("param.padding", "Padding", "填充"),
    ("param.dilation", "Dilation rate", "膨胀率"),
    ("param.groups", "Groups", "分组数"),
    ("param.output_padding", "Output padding", "输出填充"),
    ("param.scale_factor", "Upsampling factor", "上采样倍数"),
    ("param.depth_multiplier", "Depth multiplier", "深度乘数"),
    ("param.bias", "Bias", "偏置"),
    ("param.mode", "Upsampling mode", "上采样方式"),
    ("param.align_corners", "Align corners", "角点对齐"),
    ("mode.nearest", "nearest", "最近邻"),
    ("mode.bilinear", "bilinear", "双线性"),
    ("param.padding_mode", "Padding fills with", "填充方式"),
    ("padmode.zeros", "zeros", "零"),
    ("padmode.reflect", "reflection", "镜像"),
    ("padmode.replicate", "edge copies", "复制边缘"),
    ("padmode.circular", "wrap-around", "循环"),
    ("padding.number", "number", "数值"),
    ("padding.same", "same", "same"),
    ("padding.valid", "valid", "valid"),
    ("groups.hint", "1 = standard · C_in = depthwise", "1 = 普通卷积 · C_in = 深度卷积"),
    ("stats", "Live figures", "实时数据"),
    ("stat.output-shape", "Output shape", "输出形状"),
    ("stat.params", "Parameters", "参数量"),
    ("stat.macs", "MACs", "乘加次数 (MACs)"),
    ("stat.flops", "FLOPs", "浮点运算次数 (FLOPs)"),
    ("stat.standard-params", "Standard alternative: parameters", "对照（普通卷积）参数量"),
    ("stat.standard-macs", "Standard alternative: MACs", "对照（普通卷积）乘加次数"),
    ("stat.receptive-field", "Kernel extent", "卷积核覆盖范围"),
    ("ratio.less", "{ratio} of the alternative", "为对照的 {ratio}"),
    ("ratio.more", "{ratio}× the alternative", "为对照的 {ratio} 倍"),
    ("ratio.same", "the same as the alternative", "与对照相同"),
    ("stat.layer-is", "this layer: {ratio}", "本层：{ratio}"),
    ("comparison", "Against the standard alternative", "与普通卷积对照"),
    ("flops.convention", "FLOPs = 2 × MACs (one multiply and one add each). Bias additions are not counted.", "FLOPs = 2 × MACs（每次乘加算一次乘法和一次加法），偏置加法不计入。"),
    ("alt.standard", "The layer itself.", "即本层自身。"),
    ("alt.pointwise", "The layer itself.", "即本层自身。"),
    ("alt.upsample", "The layer itself.", "即本层自身。"),
    ("alt.depthwise", "A standard k×k convolution with the same channels.", "相同通道数的标准 k×k 卷积。"),
    ("alt.separable", "A standard k×k convolution with the same channels. With depth multiplier m the MACs ratio is exactly m/C_out + m/k² (1/C_out + 1/k² at m = 1, as in the MobileNet paper).", "相同通道数的标准 k×k 卷积。深度乘数为 m 时，乘加次数之比恰为 m/C_out + m/k²（m = 1 时为 1/C_out + 1/k²，与 MobileNet 论文一致）。"),
    ("alt.grouped", "A standard k×k convolution with the same channels (groups = 1).", "相同通道数的标准 k×k 卷积（groups = 1）。"),
    ("alt.dilated", "A standard convolution whose kernel covers the same extent.", "覆盖相同范围的普通（无空洞）卷积。"),
    ("alt.transposed", "The direct convolution over the zero-inserted map, multiplications by zeros included.", "在插零后的特征图上直接做卷积（包括与 0 相乘）。"),
    ("formulas", "Formulas", "公式"),
    ("formula.upsampled-size", "Upsampled size", "上采样后尺寸"),
    ("formula.output-height", "Output height (width alike)", "输出高度（宽度同理）"),
    ("formula.params", "Parameters", "参数量"),
    ("formula.macs", "MACs", "乘加次数"),
    ("formula.flops", "FLOPs", "浮点运算次数"),
    ("formula.receptive-field", "Kernel extent", "卷积核覆盖范围"),
    ("stage.input", "Input", "输入"),
    ("stage.padded", "Padded input", "填充后的输入"),
    ("stage.zero-inserted", "Zeros inserted", "插零后"),
    ("stage.upsampled", "Upsampled (copies)", "上采样（复制）"),
    ("stage.interpolated", "Upsampled (bilinear)", "上采样（双线性）"),
    ("stage.intermediate", "Depthwise output (intermediate)", "深度卷积输出（中间结果）"),
    ("stage.output", "Output", "输出"),
    ("kernels", "Kernels", "卷积核"),
    ("kernels.depthwise", "Depthwise kernels", "深度卷积核"),
    ("kernels.pointwise", "Pointwise kernels (1×1)", "逐点卷积核 (1×1)"),
    ("kernels.transposed", "Kernels, as stamped", "卷积核（盖印方向）"),
    ("kernel.depth", "each k×k×{depth}", "每个 k×k×{depth}"),
    ("channels.more", "+{n} more channels not drawn", "另有 {n} 个通道未画出"),
    ("group", "group", "组"),
    ("legend", "Legend", "图例"),
    ("legend.data", "value", "数值"),
    ("legend.padding", "padding (0)", "填充 (0)"),
    ("legend.inserted", "inserted zero", "插入的 0"),
    ("legend.copied", "copied pixel", "复制的像素"),
    ("legend.gap", "gap in a dilated kernel", "空洞核中的间隔"),
    ("legend.negative", "negative", "负"),
    ("legend.positive", "positive", "正"),
    ("canvas.summary", "{stage}: {c} channel(s) of {h}×{w}", "{stage}：{c} 个通道，每个 {h}×{w}"),
    ("notice.title", "Some values were corrected", "部分参数已被更正"),
    ("notice.dismiss", "Dismiss", "关闭"),
    ("notice.unknown", "unknown parameter ignored", "未知参数，已忽略"),
    ("notice.not-a-number", "not a number", "不是数字"),
    ("notice.invalid", "not a valid value", "不是有效值"),
    ("notice.file", "File", "文件"),
    ("notice.out-of-range", "allowed range is {min}–{max}", "允许范围为 {min}–{max}"),
    ("notice.multiple-of", "must be a multiple of {param} ({of})", "必须是{param} ({of}) 的倍数"),
    ("notice.groups-divide", "must divide both input channels ({in}) and output channels ({out})", "必须同时整除输入通道数 ({in}) 和输出通道数 ({out})"),
    ("notice.transposed-padding", "a transposed convolution takes a whole number as padding", "转置卷积的填充必须是整数"),
    ("notice.kernel-fits", "the kernel extent cannot exceed the padded input size ({padded})", "卷积核覆盖范围不能超过填充后的输入尺寸 ({padded})"),
    ("notice.empty-output", "the padding would leave no output", "填充过大，输出将为空"),
    ("notice.output-padding", "must be smaller than the larger of stride ({stride}) and dilation rate ({dilation})", "必须小于步长 ({stride}) 与膨胀率 ({dilation}) 中的较大者"),
    ("notice.too-many-values", "the playground holds at most {limit} values in one tensor", "超出本页面的上限：每个张量最多 {limit} 个数值"),
    ("notice.too-many-macs", "the playground computes at most {limit} MACs per layer", "超出本页面的上限：每层最多 {limit} 次乘加"),
    ("notice.padding-mode", "a {mode} padding allows at most {max} pixels here (PyTorch refuses more)", "{mode}填充在这里最多 {max} 像素，不能更多"),
    ("notice.align-corners", "align_corners applies to bilinear upsampling only: set to 0", "角点对齐只适用于双线性上采样，已关闭"),
    ("notice.reset", "no valid layer nearby: back to this layer's defaults", "附近没有有效的配置，已恢复本层的默认值"),
    ("notice.file-too-large", "larger than {mb} MB", "文件超过 {mb} MB"),
    ("notice.file-empty", "the file is empty", "文件是空的"),
    ("notice.file-not-image", "not an image this browser can decode", "不是此浏览器能解码的图片"),
    ("notice.file-unreadable", "the browser could not read the image's pixels", "浏览器无法读取这张图片的像素"),
    ("language", "Language", "语言"),
    ("theme", "Theme", "主题"),
    ("theme.light", "Light", "浅色"),
    ("theme.dark", "Dark", "深色"),
    ("theme.auto", "System", "跟随系统"),
    ("tour", "Guided tour of the article's figures", "文章插图导览"),
    ("tour.prev", "Previous stop", "上一站"),
    ("tour.next", "Next stop", "下一站"),
    ("tour.open", "Tour stop for this layer", "本层的导览"),
    ("tour.of", "Stop {i} of {n}", "第 {i} / {n} 站"),
    ("tour.figure", "the article's figure {f} of {n}", "文章第 {f} 张图（共 {n} 张）"),
    ("tour.added", "added by this tour: the article has no figure for it", "导览补充：文章中没有对应的图"),
    ("tour.1", "Standard convolution: 3 input channels, 16 kernels of 3×3×3, so 16 output maps.", "普通卷积：3 个输入通道、16 个 3×3×3 的核，得到 16 张输出特征图。"),
    ("tour.2", "Depthwise convolution: three 3×3×1 kernels, one per channel; three maps out.", "深度卷积：三个 3×3×1 的核，每个通道一个；输出三张特征图。"),
    ("tour.3", "Pointwise convolution: 1×1 kernels spanning all channels turn the intermediate block into the channels we want.", "逐点卷积：贯穿所有通道的 1×1 核，把中间结果变成想要的通道数。"),
    ("tour.4", "Depthwise separable: both stages in a row; compare its MACs with the standard alternative.", "深度可分离卷积：两步连起来；与普通卷积比较乘加次数。"),
    ("tour.5", "Adding pixels: transposed convolution fills them with zeros, upsampling with copies.", "增加像素的两种方式：转置卷积用 0 填充，上采样用复制的像素填充。"),
    ("tour.6", "Transposed convolution: zeros between the pixels, then an ordinary convolution; 2× larger, 4× the pixels.", "转置卷积：像素之间插 0，再做普通卷积；边长 2 倍，像素 4 倍。"),
    ("tour.7", "Upsampling: each pixel copied 4 times at 2×, then a convolution gives the layer something to learn.", "上采样：2 倍时每个像素复制 4 次，再接一个卷积让网络可以学习。"),
    ("tour.8", "Dilated convolution: a 3×3 kernel at rate 2 covers 5×5 with only 9 weights.", "空洞卷积：膨胀率为 2 的 3×3 核用 9 个权重覆盖 5×5 的范围。"),
    ("tour.9", "Dilation rate: raise it and watch the gaps and the kernel extent grow.", "膨胀率：调大它，观察间隔和覆盖范围变大。"),
    ("tour.10", "Grouped convolution: 4 channels in 2 groups, 4 kernels per group of depth 2, concatenated into 8 maps.", "分组卷积：4 个通道分 2 组，每组 4 个深度为 2 的核，拼接成 8 张特征图。"),
    ("error.title", "Something went wrong", "出错了"),
    ("error.reset", "Reset the playground", "重置"),
    ("reset", "Reset layer", "重置本层"),
    ("reseed", "New values", "换一组数值"),
    ("input.mode", "Input", "输入"),
    ("code", "Code", "代码"),
    ("share.title", "Share, embed and export", "分享、嵌入与导出"),
    ("share", "Share link", "复制分享链接"),
    ("share.copied", "Copied to the clipboard", "已复制到剪贴板"),
    ("share.copy-failed", "Copy failed: select the text and copy it", "复制失败：请手动选中并复制"),
    ("embed", "Embed", "嵌入"),
    ("embed.snippet", "Paste this into your page", "把这段代码粘贴到你的网页中"),
    ("embed.note", "The frame reports its height and state to your page and takes settings from it (postMessage; see the README).", "嵌入的页面会通过 postMessage 向你的页面报告高度和状态，也接受你的页面发来的设置（见 README）。"),
    ("export", "Export", "导出"),
    ("export.gif-progress", "GIF encoding progress", "GIF 编码进度"),
    ("export.frames", "{i} / {n} frames", "{i} / {n} 帧"),
    ("export.failed", "The export failed ({detail}).", "导出失败（{detail}）。"),
    ("controls", "Parameters", "参数"),
    ("more", "Formulas, code, share and export", "公式、代码、分享与导出"),
    ("code.copy", "Copy", "复制"),
    ("code.copied", "Copied", "已复制"),
    ("code.note.layout", "PyTorch tensors are (N, C, H, W); Keras defaults to channels last (N, H, W, C).", "PyTorch 张量为 (N, C, H, W)；Keras 默认通道在最后 (N, H, W, C)。"),
    ("code.note.keras-padding-mode", "Keras convolutions pad with zeros only: the padding is written as keras.ops.pad in front (numpy's modes reflect, edge and wrap are PyTorch's reflect, replicate and circular), then a \"valid\" convolution.", "Keras 的卷积只会补零：这里先用 keras.ops.pad 填充（numpy 的 reflect、edge、wrap 对应 PyTorch 的 reflect、replicate、circular），再做 \"valid\" 卷积。"),
    ("code.note.keras-same-stride", "Keras \"same\" with stride > 1 may pad asymmetrically (when the total padding is odd, the extra pixel goes right and bottom); PyTorch needs an explicit padding layer (ZeroPad2d, or the padding mode's).", "Keras 的 \"same\" 在步长大于 1 时可能是非对称填充（总填充为奇数时，多出的像素在右侧和下方）；PyTorch 需要显式的填充层（ZeroPad2d，或与填充方式对应的层）。"),
    ("code.note.separable-bias", "Keras' SeparableConv2D has one bias (C_out terms); the figures here count a bias per stage, as two PyTorch layers have.", "Keras 的 SeparableConv2D 只有一个偏置（C_out 项）；这里按两个 PyTorch 层各自带偏置来计数。"),
    ("code.note.keras-transposed-crop", "Keras' Conv2DTranspose has no integer padding: crop the border afterwards.", "Keras 的 Conv2DTranspose 没有整数 padding 参数：之后裁掉边缘。"),
    ("code.note.keras-dilated-stride", "Keras refuses strides > 1 together with dilation_rate > 1 (ValueError): the Keras code runs the dilated convolution at stride 1 and keeps every stride-th row and column, which gives the same output.", "Keras 不接受 strides > 1 与 dilation_rate > 1 同时使用（ValueError）：这里的 Keras 代码先以步长 1 做空洞卷积，再每隔 stride 行、列取一个，输出相同。"),
    ("code.note.keras-transposed-dilated-stride", "Keras cannot build this layer: its Conv2DTranspose refuses strides > 1 together with dilation_rate > 1 (ValueError).", "Keras 无法构建这一层：它的 Conv2DTranspose 不接受 strides > 1 与 dilation_rate > 1 同时使用（ValueError）。"),
    ("code.note.keras-output-padding", "Keras needs output_padding < strides; PyTorch allows up to max(stride, dilation) − 1. At stride 1 the Keras code pads the input with output_padding zeros at the bottom and right instead, which adds the same rows and columns to the output.", "Keras 要求 output_padding < strides；PyTorch 允许到 max(stride, dilation) − 1。步长为 1 时，这里的 Keras 代码改为在输入的下方和右侧补 output_padding 行、列零，输出因此多出同样的行和列。"),
    ("code.note.keras-output-padding-zero", "output_padding=0 is written on purpose: left out, Keras makes the output (H − 1)·stride + max(extent, stride) before cropping, larger than PyTorch's (H − 1)·stride + extent here, as the kernel extent (k − 1)·dilation + 1 is below the stride.", "output_padding=0 是特意写出的：省略时 Keras 在裁剪前把输出尺寸定为 (H − 1)·stride + max(extent, stride)；这里卷积核跨度 (k − 1)·dilation + 1 小于步长，因此比 PyTorch 的 (H − 1)·stride + extent 大。"),
    ("code.note.separable-bias-fold", "To carry both biases into Keras, fold the depthwise one into the pointwise one: bias = b_pointwise + W_pointwise · b_depthwise.", "要把两个偏置都搬到 Keras，把逐通道卷积的偏置并入逐点卷积的偏置：bias = b_pointwise + W_pointwise · b_depthwise。"),
    ("input.grid", "Numbers", "数字网格"),
    ("input.image", "Image", "图像"),
    ("input.upload", "Your image (stays in this page)", "你的图片（不会离开本页面）"),
    ("input.sample", "Use the sample picture", "使用示例图片"),
    ("input.pattern", "Pattern", "图案"),
    ("input.sample-picture", "Sample picture", "示例图片"),
    ("pattern.random", "random numbers / rings", "随机数 / 圆环"),
    ("pattern.gradient", "gradient", "渐变"),
    ("pattern.checkerboard", "checkerboard", "棋盘格"),
    ("pattern.glyph", "glyph \"7\"", "字形“7”"),
    ("preset.random", "Random weights", "随机权重"),
    ("preset.identity", "Identity", "恒等（原样输出）"),
    ("preset.box-blur", "Box blur", "方框模糊"),
    ("preset.gaussian", "Gaussian blur", "高斯模糊"),
    ("preset.sobel-x", "Sobel X (horizontal gradient)", "Sobel X（水平梯度）"),
    ("preset.sobel-y", "Sobel Y (vertical gradient)", "Sobel Y（垂直梯度）"),
    ("preset.sharpen", "Sharpen", "锐化"),
    ("bias.on", "on", "开"),
    ("bias.off", "off", "关"),
    ("footer", "Computed in your browser by conv-core (Rust → WebAssembly). PyTorch conventions: convolution weights (C_out, C_in/groups, k, k), MACs = every product of the sliding window, padding included; transposed convolution weights (C_in, C_out/groups, k, k), MACs = the scatter products only (no multiplications by inserted zeros).", "所有数值都由 conv-core（Rust → WebAssembly）在浏览器中计算，遵循 PyTorch 约定：卷积权重形状 (C_out, C_in/groups, k, k)，乘加次数计入滑动窗口的每一次乘法（包括填充）；转置卷积权重形状 (C_in, C_out/groups, k, k)，乘加次数只计散射（盖印）的乘法，不含与插入的 0 相乘。"),
    ("figure", "Feature maps", "特征图"),
    ("anim", "Step through the computation", "逐步演示计算过程"),
    ("anim.play", "Play", "播放"),
    ("anim.pause", "Pause", "暂停"),
    ("anim.back", "Step back", "后退一步"),
    ("anim.forward", "Step forward", "前进一步"),
    ("anim.step", "Step", "步骤"),
    ("anim.speed", "Speed (steps/s)", "速度（步/秒）"),
    ("anim.channel", "Output channel followed", "跟随的输出通道"),
    ("anim.view", "Transposed view", "转置卷积的视角"),
    ("view", "Drawn as", "画法"),
    ("view.volume", "Volumes", "立体"),
    ("view.channels", "Channels", "逐通道"),
    ("anim.view.conv", "Zeros inserted, then convolve (kernel flipped: rotated 180°)", "插零后卷积（核翻转，即旋转 180°）"),
    ("anim.view.scatter", "Each input pixel stamps the kernel", "每个输入像素“盖印”一次卷积核"),
    ("anim.keys", "Keys: space plays or pauses, ← and → step.", "快捷键：空格播放/暂停，← 和 → 单步。"),
    ("trace", "Trace", "追踪"),
    ("trace.hint", "Hover or tap a cell to trace it; click pins the trace.", "将鼠标悬停或轻点某个格子即可追踪它；单击可固定追踪。"),
    ("overlap", "Overlap: kernel stamps per output cell", "重叠：每个输出格子被卷积核盖印的次数"),
    ("overlap.uneven", "Uneven counts away from the borders: the checkerboard pattern. With stride > 1 the counts are even exactly when the stride divides kernel_size and gcd(dilation, stride) = 1.", "远离边缘处次数不均匀：这就是棋盘格伪影。步长大于 1 时，只有当步长能整除卷积核大小且 gcd(膨胀率, 步长) = 1 时次数才均匀。"),
    ("overlap.even", "Even counts away from the borders (only the edges ramp down): no checkerboard.", "远离边缘处次数均匀（只有边缘逐渐减少）：没有棋盘格。"),
    ("overlap.too-small", "The map is too small to show the pattern away from its borders; make the input larger.", "特征图太小，看不出远离边缘处的规律；请把输入调大。"),
    ("coverage", "Upsample + conv: data taps per output cell", "上采样 + 卷积：每个输出格子用到的数据格数"),
    ("coverage.note", "Every cell away from the border is covered evenly.", "除边缘外，每个格子被均匀覆盖。"),
    ("dilation.compare", "{weights} weights cover {e}×{e}; a normal kernel of the same extent needs {normal}.", "{weights} 个权重覆盖 {e}×{e} 的范围；相同范围的普通卷积核需要 {normal} 个。"),
    ("arrow.conv", "convolve", "卷积"),
];

/// The string of `key` in `lang`; the key itself if it is missing (a test keeps that from
/// happening).
pub fn tr(lang: Lang, key: &str) -> &'static str {
    match STRINGS.iter().find(|(k, _, _)| *k == key) {
        Some((_, en, zh)) => match lang {
            Lang::En => en,
            Lang::Zh => zh,
        },
        None => "?",
    }
}

/// [`tr`] with `{name}` placeholders filled in.
pub fn trf(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    let mut s = tr(lang, key).to_string();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

/// Digits grouped by thousands with a thin space (`1 234 567`), readable in both languages.
pub fn group_digits(n: u128) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use conv_core::{InputPattern, KernelPreset, LayerKind, Param};
    use std::collections::HashSet;

    #[test]
    fn every_key_has_both_languages_and_is_unique() {
        let mut seen = HashSet::new();
        for (key, en, zh) in STRINGS {
            assert!(seen.insert(key), "duplicate key {key}");
            assert!(!en.trim().is_empty(), "{key} has no English");
            assert!(!zh.trim().is_empty(), "{key} has no Chinese");
        }
    }

    #[test]
    fn every_layer_and_param_is_named() {
        for kind in LayerKind::ALL {
            for prefix in ["layer.", "about.", "alt."] {
                let key = format!("{prefix}{}", kind.name());
                assert!(STRINGS.iter().any(|(k, _, _)| *k == key), "missing {key}");
            }
        }
        for p in Param::ALL {
            let key = format!("param.{}", p.name());
            assert!(STRINGS.iter().any(|(k, _, _)| *k == key), "missing {key}");
        }
    }

    #[test]
    fn every_preset_and_pattern_is_named() {
        // The selects show tr(lang, "preset.<name>") and tr(lang, "pattern.<name>").
        let keys = KernelPreset::ALL
            .iter()
            .map(|p| format!("preset.{}", p.name()))
            .chain(
                InputPattern::ALL
                    .iter()
                    .map(|p| format!("pattern.{}", p.name())),
            );
        for key in keys {
            let (_, en, zh) = STRINGS
                .iter()
                .find(|(k, _, _)| *k == key)
                .unwrap_or_else(|| panic!("missing {key}"));
            assert!(!en.trim().is_empty() && !zh.trim().is_empty(), "{key}");
        }
    }

    #[test]
    fn every_key_used_in_the_source_exists() {
        // Literal keys passed to tr / trf anywhere in this crate.
        let sources = [
            include_str!("state.rs"),
            include_str!("url.rs"),
            include_str!("scene.rs"),
            include_str!("tour.rs"),
            include_str!("app.rs"),
            include_str!("dom.rs"),
            include_str!("components/controls.rs"),
            include_str!("components/figure.rs"),
            include_str!("components/insights.rs"),
            include_str!("components/notices.rs"),
            include_str!("components/player.rs"),
            include_str!("components/stats.rs"),
            include_str!("components/tour.rs"),
            include_str!("components/share.rs"),
            include_str!("components/code.rs"),
            include_str!("components/slider.rs"),
        ];
        for src in sources {
            for part in src
                .split("tr(lang, \"")
                .skip(1)
                .chain(src.split("trf(lang, \"").skip(1))
            {
                let key = &part[..part.find('"').unwrap()];
                assert!(STRINGS.iter().any(|(k, _, _)| *k == key), "missing {key}");
            }
        }
    }

    #[test]
    fn language_codes() {
        assert_eq!(Lang::from_code("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::from_code("en-US"), Some(Lang::En));
        assert_eq!(Lang::from_code("<script>"), None);
        assert_eq!(group_digits(1234567), "1,234,567");
        assert_eq!(group_digits(12), "12");
    }
}
