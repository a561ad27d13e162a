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

/// Every string of the page, one per line: `key`, English and 中文, separated by tabs. One text
/// rather than a table of `(key, English, 中文)` slices: the table's 24 bytes of pointers per
/// entry weighed more in the first load than the index [`strings`] builds from it once.
pub const STRINGS: &str = "\
title\tConv Playground\t卷积层互动图解\n\
subtitle\tEvery advanced convolution layer, live: drag a slider, watch the maps, the shapes and the cost change.\t高级卷积层的实时可视化：拖动滑块，观察特征图、形状和计算量的变化。\n\
layer\tLayer type\t层类型\n\
layer.standard\tStandard\t普通卷积\n\
layer.depthwise\tDepthwise\t深度卷积\n\
layer.pointwise\tPointwise\t逐点卷积\n\
layer.separable\tDepthwise separable\t深度可分离卷积\n\
layer.transposed\tTransposed\t转置卷积（反卷积的一种）\n\
layer.upsample\tUpsample + conv\t上采样 + 卷积\n\
layer.dilated\tDilated (atrous)\t空洞卷积（扩张卷积）\n\
layer.grouped\tGrouped\t分组卷积\n\
layer.subpixel\tSub-pixel (pixel shuffle)\t亚像素卷积（像素重排）\n\
about.standard\tC_out kernels, each k×k×C_in: every kernel sees every input channel and writes one output map.\t共 C_out 个卷积核，每个形状为 k×k×C_in：每个核作用于全部输入通道，输出一张特征图。\n\
about.depthwise\tEach input channel has its own k×k×1 kernels (one, or m of them when C_out = m·C_in): channels are filtered separately and never mixed.\t每个输入通道有自己的 k×k×1 核（一个；当 C_out = m·C_in 时为 m 个）：各通道分别卷积，互不混合。\n\
about.pointwise\t1×1×C_in kernels: mix the channels at each pixel, change the channel count, keep the size.\t1×1×C_in 的核：在每个像素处混合通道，改变通道数，尺寸不变。\n\
about.separable\tDepthwise then pointwise: spatial filtering per channel, then 1×1 mixing. Far fewer weights and MACs.\t先深度卷积再逐点卷积：先逐通道做空间滤波，再用 1×1 混合通道，参数和计算量都少得多。\n\
about.transposed\tInsert stride − 1 zeros between pixels, pad, then convolve: the map grows.\t在像素之间插入（步长 − 1）个 0，再填充并做普通卷积：特征图变大。\n\
about.upsample-bilinear\tInterpolate the map scale_factor times larger: each new pixel mixes its four nearest input pixels by distance (bilinear), then convolve; no parameters in the upsampling.\t把特征图双线性插值放大（上采样倍数）倍：每个新像素按距离混合最近的四个输入像素，再做卷积；上采样本身没有参数。\n\
about.upsample\tCopy each pixel scale_factor² times (nearest neighbour), then convolve: no zeros, no parameters in the upsampling.\t把每个像素复制（上采样倍数）² 次（最近邻），再做卷积：没有插零，上采样本身没有参数。\n\
about.dilated\tGaps of rate − 1 between kernel weights: a larger receptive field with the same number of weights.\t在核的元素之间留出（膨胀率 − 1）个间隔：权重数量不变，感受野变大。\n\
about.grouped\tChannels split into groups; each kernel sees only its own group. groups = 1 is standard, groups = C_in is depthwise.\t通道被分成若干组，每个核只作用于本组的通道。groups = 1 即普通卷积，groups = C_in 即深度卷积。\n\
about.subpixel\tConvolve to C_out·r² channels at the input's size, then pixel shuffle: each group of r² channels becomes one map r times larger, channel by channel into the r×r places of every block.\t先在输入尺寸上卷积出 C_out·r² 个通道，再做像素重排：每 r² 个通道合成一张放大 r 倍的图，依次填入每个 r×r 小块的各个位置。\n\
param.height\tHeight\t高度\n\
param.width\tWidth\t宽度\n\
param.in_channels\tInput channels\t输入通道数\n\
param.out_channels\tOutput channels\t输出通道数\n\
param.kernel_size\tKernel size\t卷积核大小\n\
param.stride\tStride\t步长\n\
param.padding\tPadding\t填充\n\
param.dilation\tDilation rate\t膨胀率\n\
param.groups\tGroups\t分组数\n\
param.output_padding\tOutput padding\t输出填充\n\
param.scale_factor\tUpsampling factor\t上采样倍数\n\
param.upscale_factor\tUpscale factor r\t放大倍数 r\n\
param.depth_multiplier\tDepth multiplier\t深度乘数\n\
param.bias\tBias\t偏置\n\
param.mode\tUpsampling mode\t上采样方式\n\
param.align_corners\tAlign corners\t角点对齐\n\
mode.nearest\tnearest\t最近邻\n\
mode.bilinear\tbilinear\t双线性\n\
param.padding_mode\tPadding fills with\t填充方式\n\
padmode.zeros\tzeros\t零\n\
padmode.reflect\treflection\t镜像\n\
padmode.replicate\tedge copies\t复制边缘\n\
padmode.circular\twrap-around\t循环\n\
padding.number\tnumber\t数值\n\
padding.same\tsame\tsame\n\
padding.valid\tvalid\tvalid\n\
groups.hint\t1 = standard · C_in = depthwise\t1 = 普通卷积 · C_in = 深度卷积\n\
stats\tLive figures\t实时数据\n\
stat.output-shape\tOutput shape\t输出形状\n\
stat.params\tParameters\t参数量\n\
stat.macs\tMACs\t乘加次数 (MACs)\n\
stat.flops\tFLOPs\t浮点运算次数 (FLOPs)\n\
stat.standard-params\tStandard alternative: parameters\t对照（普通卷积）参数量\n\
stat.standard-macs\tStandard alternative: MACs\t对照（普通卷积）乘加次数\n\
stat.receptive-field\tKernel extent\t卷积核覆盖范围\n\
ratio.less\t{ratio} of the alternative\t为对照的 {ratio}\n\
ratio.more\t{ratio}× the alternative\t为对照的 {ratio} 倍\n\
ratio.same\tthe same as the alternative\t与对照相同\n\
stat.layer-is\tthis layer: {ratio}\t本层：{ratio}\n\
comparison\tAgainst the standard alternative\t与普通卷积对照\n\
flops.convention\tFLOPs = 2 × MACs (one multiply and one add each). Bias additions are not counted.\tFLOPs = 2 × MACs（每次乘加算一次乘法和一次加法），偏置加法不计入。\n\
alt.standard\tThe layer itself.\t即本层自身。\n\
alt.pointwise\tThe layer itself.\t即本层自身。\n\
alt.upsample\tThe layer itself.\t即本层自身。\n\
alt.depthwise\tA standard k×k convolution with the same channels.\t相同通道数的标准 k×k 卷积。\n\
alt.separable\tA standard k×k convolution with the same channels. With depth multiplier m the MACs ratio is exactly m/C_out + m/k² (1/C_out + 1/k² at m = 1, as in the MobileNet paper).\t相同通道数的标准 k×k 卷积。深度乘数为 m 时，乘加次数之比恰为 m/C_out + m/k²（m = 1 时为 1/C_out + 1/k²，与 MobileNet 论文一致）。\n\
alt.subpixel\tA k×k convolution at the output's size (upsample, then convolve): the same MACs, r² times fewer weights.\t在输出尺寸上做 k×k 卷积（先上采样再卷积）：乘加次数相同，权重少 r² 倍。\n\
alt.grouped\tA standard k×k convolution with the same channels (groups = 1).\t相同通道数的标准 k×k 卷积（groups = 1）。\n\
alt.dilated\tA standard convolution whose kernel covers the same extent.\t覆盖相同范围的普通（无空洞）卷积。\n\
alt.transposed\tThe direct convolution over the zero-inserted map, multiplications by zeros included.\t在插零后的特征图上直接做卷积（包括与 0 相乘）。\n\
formulas\tFormulas\t公式\n\
formula.upsampled-size\tUpsampled size\t上采样后尺寸\n\
formula.conv-height\tHeight before the shuffle\t重排前的高度\n\
formula.output-height\tOutput height (width alike)\t输出高度（宽度同理）\n\
formula.params\tParameters\t参数量\n\
formula.macs\tMACs\t乘加次数\n\
formula.flops\tFLOPs\t浮点运算次数\n\
formula.receptive-field\tKernel extent\t卷积核覆盖范围\n\
stage.input\tInput\t输入\n\
stage.padded\tPadded input\t填充后的输入\n\
stage.zero-inserted\tZeros inserted\t插零后\n\
stage.upsampled\tUpsampled (copies)\t上采样（复制）\n\
stage.interpolated\tUpsampled (bilinear)\t上采样（双线性）\n\
stage.intermediate\tDepthwise output (intermediate)\t深度卷积输出（中间结果）\n\
stage.output\tOutput\t输出\n\
stage.before-shuffle\tBefore the shuffle (C_out·r² maps)\t重排前（C_out·r² 张图）\n\
stage.shuffled\tOutput (pixel shuffle)\t输出（像素重排）\n\
kernels\tKernels\t卷积核\n\
kernels.depthwise\tDepthwise kernels\t深度卷积核\n\
kernels.pointwise\tPointwise kernels (1×1)\t逐点卷积核 (1×1)\n\
kernels.transposed\tKernels, as stamped\t卷积核（盖印方向）\n\
kernel.depth\teach k×k×{depth}\t每个 k×k×{depth}\n\
channels.more\t+{n} more channels not drawn\t另有 {n} 个通道未画出\n\
group\tgroup\t组\n\
legend\tLegend\t图例\n\
legend.data\tvalue\t数值\n\
legend.padding\tpadding (0)\t填充 (0)\n\
legend.inserted\tinserted zero\t插入的 0\n\
legend.copied\tcopied pixel\t复制的像素\n\
legend.shuffled\tcorner: the map it came from\t角标：来自哪张图\n\
legend.gap\tgap in a dilated kernel\t空洞核中的间隔\n\
legend.negative\tnegative\t负\n\
legend.positive\tpositive\t正\n\
canvas.summary\t{stage}: {c} channel(s) of {h}×{w}\t{stage}：{c} 个通道，每个 {h}×{w}\n\
notice.title\tSome values were corrected\t部分参数已被更正\n\
notice.dismiss\tDismiss\t关闭\n\
notice.unknown\tunknown parameter ignored\t未知参数，已忽略\n\
notice.not-a-number\tnot a number\t不是数字\n\
notice.invalid\tnot a valid value\t不是有效值\n\
notice.file\tFile\t文件\n\
notice.out-of-range\tallowed range is {min}–{max}\t允许范围为 {min}–{max}\n\
notice.multiple-of\tmust be a multiple of {param} ({of})\t必须是{param} ({of}) 的倍数\n\
notice.groups-divide\tmust divide both input channels ({in}) and output channels ({out})\t必须同时整除输入通道数 ({in}) 和输出通道数 ({out})\n\
notice.transposed-padding\ta transposed convolution takes a whole number as padding\t转置卷积的填充必须是整数\n\
notice.kernel-fits\tthe kernel extent cannot exceed the padded input size ({padded})\t卷积核覆盖范围不能超过填充后的输入尺寸 ({padded})\n\
notice.empty-output\tthe padding would leave no output\t填充过大，输出将为空\n\
notice.output-padding\tmust be smaller than the larger of stride ({stride}) and dilation rate ({dilation})\t必须小于步长 ({stride}) 与膨胀率 ({dilation}) 中的较大者\n\
notice.too-many-values\tthe playground holds at most {limit} values in one tensor\t超出本页面的上限：每个张量最多 {limit} 个数值\n\
notice.too-many-macs\tthe playground computes at most {limit} MACs per layer\t超出本页面的上限：每层最多 {limit} 次乘加\n\
notice.padding-mode\ta {mode} padding allows at most {max} pixels here (PyTorch refuses more)\t{mode}填充在这里最多 {max} 像素，不能更多\n\
notice.align-corners\talign_corners applies to bilinear upsampling only: set to 0\t角点对齐只适用于双线性上采样，已关闭\n\
notice.reset\tno valid layer nearby: back to this layer's defaults\t附近没有有效的配置，已恢复本层的默认值\n\
notice.file-too-large\tlarger than {mb} MB\t文件超过 {mb} MB\n\
notice.file-empty\tthe file is empty\t文件是空的\n\
notice.file-not-image\tnot an image this browser can decode\t不是此浏览器能解码的图片\n\
notice.file-unreadable\tthe browser could not read the image's pixels\t浏览器无法读取这张图片的像素\n\
language\tLanguage\t语言\n\
theme\tTheme\t主题\n\
theme.light\tLight\t浅色\n\
theme.dark\tDark\t深色\n\
theme.auto\tSystem\t跟随系统\n\
tour\tGuided tour of the article's figures\t文章插图导览\n\
tour.11\tSub-pixel convolution: a 3×3 convolution makes 4 maps of 4×4, and the pixel shuffle weaves them into one 8×8 map, the size of the transposed and upsampling stops, with no zeros and no copies.\t亚像素卷积：3×3 卷积先得到 4 张 4×4 的图，像素重排再把它们交织成一张 8×8 的图，与转置卷积、上采样两站的尺寸相同，既不插 0 也不复制。\n\
tour.prev\tPrevious stop\t上一站\n\
tour.next\tNext stop\t下一站\n\
tour.open\tTour stop for this layer\t本层的导览\n\
tour.of\tStop {i} of {n}\t第 {i} / {n} 站\n\
tour.figure\tthe article's figure {f} of {n}\t文章第 {f} 张图（共 {n} 张）\n\
tour.added\tadded by this tour: the article has no figure for it\t导览补充：文章中没有对应的图\n\
tour.1\tStandard convolution: 3 input channels, 16 kernels of 3×3×3, so 16 output maps.\t普通卷积：3 个输入通道、16 个 3×3×3 的核，得到 16 张输出特征图。\n\
tour.2\tDepthwise convolution: three 3×3×1 kernels, one per channel; three maps out.\t深度卷积：三个 3×3×1 的核，每个通道一个；输出三张特征图。\n\
tour.3\tPointwise convolution: 1×1 kernels spanning all channels turn the intermediate block into the channels we want.\t逐点卷积：贯穿所有通道的 1×1 核，把中间结果变成想要的通道数。\n\
tour.4\tDepthwise separable: both stages in a row; compare its MACs with the standard alternative.\t深度可分离卷积：两步连起来；与普通卷积比较乘加次数。\n\
tour.5\tAdding pixels: transposed convolution fills them with zeros, upsampling with copies.\t增加像素的两种方式：转置卷积用 0 填充，上采样用复制的像素填充。\n\
tour.6\tTransposed convolution: zeros between the pixels, then an ordinary convolution; 2× larger, 4× the pixels.\t转置卷积：像素之间插 0，再做普通卷积；边长 2 倍，像素 4 倍。\n\
tour.7\tUpsampling: each pixel copied 4 times at 2×, then a convolution gives the layer something to learn.\t上采样：2 倍时每个像素复制 4 次，再接一个卷积让网络可以学习。\n\
tour.8\tDilated convolution: a 3×3 kernel at rate 2 covers 5×5 with only 9 weights.\t空洞卷积：膨胀率为 2 的 3×3 核用 9 个权重覆盖 5×5 的范围。\n\
tour.9\tDilation rate: raise it and watch the gaps and the kernel extent grow.\t膨胀率：调大它，观察间隔和覆盖范围变大。\n\
tour.10\tGrouped convolution: 4 channels in 2 groups, 4 kernels per group of depth 2, concatenated into 8 maps.\t分组卷积：4 个通道分 2 组，每组 4 个深度为 2 的核，拼接成 8 张特征图。\n\
error.title\tSomething went wrong\t出错了\n\
error.reset\tReset the playground\t重置\n\
reset\tReset layer\t重置本层\n\
reseed\tNew values\t换一组数值\n\
input.mode\tInput\t输入\n\
code\tCode\t代码\n\
share.title\tShare, embed and export\t分享、嵌入与导出\n\
share\tShare link\t复制分享链接\n\
share.copied\tCopied to the clipboard\t已复制到剪贴板\n\
share.copy-failed\tCopy failed: select the text and copy it\t复制失败：请手动选中并复制\n\
embed\tEmbed\t嵌入\n\
embed.snippet\tPaste this into your page\t把这段代码粘贴到你的网页中\n\
embed.note\tThe frame reports its height and state to your page and takes settings from it (postMessage; see the README).\t嵌入的页面会通过 postMessage 向你的页面报告高度和状态，也接受你的页面发来的设置（见 README）。\n\
export\tExport\t导出\n\
export.gif-progress\tGIF encoding progress\tGIF 编码进度\n\
export.frames\t{i} / {n} frames\t{i} / {n} 帧\n\
export.failed\tThe export failed ({detail}).\t导出失败（{detail}）。\n\
controls\tParameters\t参数\n\
more\tFormulas, code, share and export\t公式、代码、分享与导出\n\
code.copy\tCopy\t复制\n\
code.copied\tCopied\t已复制\n\
code.note.layout\tPyTorch tensors are (N, C, H, W); Keras defaults to channels last (N, H, W, C).\tPyTorch 张量为 (N, C, H, W)；Keras 默认通道在最后 (N, H, W, C)。\n\
code.note.keras-padding-mode\tKeras convolutions pad with zeros only: the padding is written as keras.ops.pad in front (numpy's modes reflect, edge and wrap are PyTorch's reflect, replicate and circular), then a \"valid\" convolution.\tKeras 的卷积只会补零：这里先用 keras.ops.pad 填充（numpy 的 reflect、edge、wrap 对应 PyTorch 的 reflect、replicate、circular），再做 \"valid\" 卷积。\n\
code.note.keras-pixel-shuffle\tkeras.ops.depth_to_space follows nn.PixelShuffle (channel c·r² + i·r + j to sub-pixel (i, j)) only with data_format=\"channels_first\"; on channels-last maps it takes channel (i·r + j)·C + c, as tf.nn.depth_to_space does. pixel_shuffle transposes around it, so the same weights give the same output.\tkeras.ops.depth_to_space 只有在 data_format=\"channels_first\" 时才与 nn.PixelShuffle 一致（通道 c·r² + i·r + j 放到子像素 (i, j)）；对通道在后的张量它取通道 (i·r + j)·C + c，与 tf.nn.depth_to_space 相同。pixel_shuffle 在其前后转置，因此相同的权重得到相同的输出。\n\
code.note.keras-same-stride\tKeras \"same\" with stride > 1 may pad asymmetrically (when the total padding is odd, the extra pixel goes right and bottom); PyTorch needs an explicit padding layer (ZeroPad2d, or the padding mode's).\tKeras 的 \"same\" 在步长大于 1 时可能是非对称填充（总填充为奇数时，多出的像素在右侧和下方）；PyTorch 需要显式的填充层（ZeroPad2d，或与填充方式对应的层）。\n\
code.note.separable-bias\tKeras' SeparableConv2D has one bias (C_out terms); the figures here count a bias per stage, as two PyTorch layers have.\tKeras 的 SeparableConv2D 只有一个偏置（C_out 项）；这里按两个 PyTorch 层各自带偏置来计数。\n\
code.note.keras-transposed-crop\tKeras' Conv2DTranspose has no integer padding: crop the border afterwards.\tKeras 的 Conv2DTranspose 没有整数 padding 参数：之后裁掉边缘。\n\
code.note.keras-dilated-stride\tKeras refuses strides > 1 together with dilation_rate > 1 (ValueError): the Keras code runs the dilated convolution at stride 1 and keeps every stride-th row and column, which gives the same output.\tKeras 不接受 strides > 1 与 dilation_rate > 1 同时使用（ValueError）：这里的 Keras 代码先以步长 1 做空洞卷积，再每隔 stride 行、列取一个，输出相同。\n\
code.note.keras-transposed-dilated-stride\tKeras cannot build this layer: its Conv2DTranspose refuses strides > 1 together with dilation_rate > 1 (ValueError).\tKeras 无法构建这一层：它的 Conv2DTranspose 不接受 strides > 1 与 dilation_rate > 1 同时使用（ValueError）。\n\
code.note.keras-output-padding\tKeras needs output_padding < strides; PyTorch allows up to max(stride, dilation) − 1. At stride 1 the Keras code pads the input with output_padding zeros at the bottom and right instead, which adds the same rows and columns to the output.\tKeras 要求 output_padding < strides；PyTorch 允许到 max(stride, dilation) − 1。步长为 1 时，这里的 Keras 代码改为在输入的下方和右侧补 output_padding 行、列零，输出因此多出同样的行和列。\n\
code.note.keras-output-padding-zero\toutput_padding=0 is written on purpose: left out, Keras makes the output (H − 1)·stride + max(extent, stride) before cropping, larger than PyTorch's (H − 1)·stride + extent here, as the kernel extent (k − 1)·dilation + 1 is below the stride.\toutput_padding=0 是特意写出的：省略时 Keras 在裁剪前把输出尺寸定为 (H − 1)·stride + max(extent, stride)；这里卷积核跨度 (k − 1)·dilation + 1 小于步长，因此比 PyTorch 的 (H − 1)·stride + extent 大。\n\
code.note.separable-bias-fold\tTo carry both biases into Keras, fold the depthwise one into the pointwise one: bias = b_pointwise + W_pointwise · b_depthwise.\t要把两个偏置都搬到 Keras，把逐通道卷积的偏置并入逐点卷积的偏置：bias = b_pointwise + W_pointwise · b_depthwise。\n\
input.grid\tNumbers\t数字网格\n\
input.image\tImage\t图像\n\
input.upload\tYour image (stays in this page)\t你的图片（不会离开本页面）\n\
input.sample\tUse the sample picture\t使用示例图片\n\
input.pattern\tPattern\t图案\n\
input.sample-picture\tSample picture\t示例图片\n\
pattern.random\trandom numbers / rings\t随机数 / 圆环\n\
pattern.gradient\tgradient\t渐变\n\
pattern.checkerboard\tcheckerboard\t棋盘格\n\
pattern.glyph\tglyph \"7\"\t字形“7”\n\
preset.random\tRandom weights\t随机权重\n\
preset.identity\tIdentity\t恒等（原样输出）\n\
preset.box-blur\tBox blur\t方框模糊\n\
preset.gaussian\tGaussian blur\t高斯模糊\n\
preset.sobel-x\tSobel X (horizontal gradient)\tSobel X（水平梯度）\n\
preset.sobel-y\tSobel Y (vertical gradient)\tSobel Y（垂直梯度）\n\
preset.sharpen\tSharpen\t锐化\n\
bias.on\ton\t开\n\
bias.off\toff\t关\n\
footer\tComputed in your browser by conv-core (Rust → WebAssembly). PyTorch conventions: convolution weights (C_out, C_in/groups, k, k), MACs = every product of the sliding window, padding included; transposed convolution weights (C_in, C_out/groups, k, k), MACs = the scatter products only (no multiplications by inserted zeros).\t所有数值都由 conv-core（Rust → WebAssembly）在浏览器中计算，遵循 PyTorch 约定：卷积权重形状 (C_out, C_in/groups, k, k)，乘加次数计入滑动窗口的每一次乘法（包括填充）；转置卷积权重形状 (C_in, C_out/groups, k, k)，乘加次数只计散射（盖印）的乘法，不含与插入的 0 相乘。\n\
figure\tFeature maps\t特征图\n\
anim\tStep through the computation\t逐步演示计算过程\n\
anim.play\tPlay\t播放\n\
anim.pause\tPause\t暂停\n\
anim.back\tStep back\t后退一步\n\
anim.forward\tStep forward\t前进一步\n\
anim.step\tStep\t步骤\n\
anim.speed\tSpeed (steps/s)\t速度（步/秒）\n\
anim.channel\tOutput channel followed\t跟随的输出通道\n\
anim.view\tTransposed view\t转置卷积的视角\n\
view\tDrawn as\t画法\n\
view.volume\tVolumes\t立体\n\
view.channels\tChannels\t逐通道\n\
anim.view.conv\tZeros inserted, then convolve (kernel flipped: rotated 180°)\t插零后卷积（核翻转，即旋转 180°）\n\
anim.view.scatter\tEach input pixel stamps the kernel\t每个输入像素“盖印”一次卷积核\n\
anim.keys\tKeys: space plays or pauses, ← and → step.\t快捷键：空格播放/暂停，← 和 → 单步。\n\
trace\tTrace\t追踪\n\
trace.hint\tHover or tap a cell to trace it; click pins the trace.\t将鼠标悬停或轻点某个格子即可追踪它；单击可固定追踪。\n\
overlap\tOverlap: kernel stamps per output cell\t重叠：每个输出格子被卷积核盖印的次数\n\
overlap.uneven\tUneven counts away from the borders: the checkerboard pattern. With stride > 1 the counts are even exactly when the stride divides kernel_size and gcd(dilation, stride) = 1.\t远离边缘处次数不均匀：这就是棋盘格伪影。步长大于 1 时，只有当步长能整除卷积核大小且 gcd(膨胀率, 步长) = 1 时次数才均匀。\n\
overlap.even\tEven counts away from the borders (only the edges ramp down): no checkerboard.\t远离边缘处次数均匀（只有边缘逐渐减少）：没有棋盘格。\n\
overlap.too-small\tThe map is too small to show the pattern away from its borders; make the input larger.\t特征图太小，看不出远离边缘处的规律；请把输入调大。\n\
coverage\tUpsample + conv: data taps per output cell\t上采样 + 卷积：每个输出格子用到的数据格数\n\
lab\tLab\t实验\n\
lab.off\tOff\t关闭\n\
lab.grow\tFour ways to grow a map\t放大特征图的四种方式\n\
lab.backward\tBackward pass\t反向传播\n\
lab.stack\tA stack of layers\t多层堆叠\n\
stack.preset\tStack\t堆叠\n\
stack.preset.mobilenet_v1\tMobileNetV1-224 (Howard et al. 2017)\tMobileNetV1-224（Howard 等，2017）\n\
stack.preset.vgg16\tVGG-16 to pool5 (Simonyan & Zisserman 2015)\tVGG-16 至 pool5（Simonyan 与 Zisserman，2015）\n\
stack.preset.context_module\tContext module (Yu & Koltun 2016)\t上下文模块（Yu 与 Koltun，2016）\n\
stack.preset.unet_decoder\tU-Net-style decoder, transposed\tU-Net 式解码器（转置卷积）\n\
stack.preset.unet_decoder_upsample\tU-Net-style decoder, upsample + conv\tU-Net 式解码器（上采样 + 卷积）\n\
stat.stack-output-shape\tOutput\t输出\n\
stat.stack-params\tParameters\t参数量\n\
stat.stack-macs\tMACs\t乘加次数\n\
stat.stack-flops\tFLOPs\t浮点运算次数\n\
stat.stack-activation-bytes\tActivation bytes\t激活字节数\n\
stat.stack-receptive-field\tReceptive field\t感受野\n\
stat.stack-footprint\tFootprint of the selected cell\t所选格子的足迹\n\
stack.pick\tThe stack: click a cell of any map, or use the arrow keys (Page Up and Page Down for another layer), to trace its footprint\t堆叠：点击任一特征图的格子，或用方向键（Page Up、Page Down 换层），查看它的足迹\n\
stack.selected\tLayer {n}\t第 {n} 层\n\
stack.up\tMove up\t上移\n\
stack.down\tMove down\t下移\n\
stack.copy\tDuplicate\t复制\n\
stack.remove\tRemove\t删除\n\
stack.edit\tEdit with the controls above\t用上方控件编辑\n\
stack.editing\tThe controls above edit this layer\t上方控件正在编辑这一层\n\
stack.done\tDone\t完成\n\
stack.paste\tPaste a PyTorch nn.Sequential\t粘贴 PyTorch nn.Sequential\n\
stack.build\tBuild the stack\t生成堆叠\n\
stack.paste-failed\tThe code could not be read: {detail}\t代码无法读取：{detail}\n\
lab.download\tDownload the lab as SVG\t下载实验图 (SVG)\n\
computing\tComputing…\t计算中…\n\
lab.failed\tThe lab could not be drawn: {detail}\t实验图无法绘制：{detail}\n\
lab.figure\tThe lab's figure\t实验图\n\
coverage.note\tEvery cell away from the border is covered evenly.\t除边缘外，每个格子被均匀覆盖。\n\
dilation.compare\t{weights} weights cover {e}×{e}; a normal kernel of the same extent needs {normal}.\t{weights} 个权重覆盖 {e}×{e} 的范围；相同范围的普通卷积核需要 {normal} 个。\n\
arrow.conv\tconvolve\t卷积\n\
";

/// [`STRINGS`] as `(key, English, 中文)` entries, parsed once.
pub fn strings() -> &'static [(&'static str, &'static str, &'static str)] {
    static ENTRIES: std::sync::OnceLock<Vec<(&str, &str, &str)>> = std::sync::OnceLock::new();
    ENTRIES.get_or_init(|| entries(STRINGS))
}

/// Strings drawn only into the lab's figures (`lab.rs`), which the export worker draws: a table
/// of their own, read by [`tr_figure`], so that the page's module does not carry them.
pub const FIGURE_STRINGS: &str = "\
stack.layer.standard\tConvolution\t卷积\n\
stack.layer.depthwise\tDepthwise conv\t深度卷积\n\
stack.layer.pointwise\tPointwise conv\t逐点卷积\n\
stack.layer.separable\tSeparable conv\t深度可分离卷积\n\
stack.layer.transposed\tTransposed conv\t转置卷积\n\
stack.layer.upsample\tUpsample + conv\t上采样 + 卷积\n\
stack.layer.dilated\tDilated conv\t空洞卷积\n\
stack.layer.grouped\tGrouped conv\t分组卷积\n\
stack.layer.subpixel\tSub-pixel conv\t亚像素卷积\n\
stack.maxpool\tMax pool\t最大池化\n\
stack.avgpool\tAverage pool\t平均池化\n\
stack.gap\tGlobal average pool\t全局平均池化\n\
stack.linear\tLinear\t全连接\n\
stack.bn\tBatch norm\t批归一化\n\
stack.col.layer\tLayer\t层\n\
stack.col.output\tOutput\t输出\n\
stack.col.params\tParameters\t参数量\n\
stack.col.macs\tMACs\t乘加次数\n\
stack.col.flops\tFLOPs\t浮点运算次数\n\
stack.col.bytes\tOutput bytes\t激活字节数\n\
stack.col.field\tField / jump / start\t感受野 / 跳步 / 起点\n\
stack.input\tInput\t输入\n\
stack.after\tAfter layer {n}\t第 {n} 层之后\n\
stack.at-layer\tLayer {n}: \t第 {n} 层：\n\
paste.at\tLine {line}, `{token}`: \t第 {line} 行，`{token}`：\n\
paste.expected\texpected {what}\t此处应为 {what}\n\
paste.unknown-module\tnot a module of the stack view\t不是堆叠视图支持的模块\n\
paste.unknown-argument\tnot an argument of this module\t不是该模块的参数\n\
paste.mismatch\tdeclares {declared}, the layer before gives {actual}\t声明为 {declared}，但前一层给出 {actual}\n\
stack.footprint\tFootprint of cell ({y}, {x}) of layer {n}: paths from it to each cell\t第 {n} 层格子 ({y}, {x}) 的足迹：到每个格子的路径数\n\
lab.grow.about\tThe same input grown {f}× to the same size and channels: output channel 0 of each, and below it how many kernel taps read a real pixel (not a padding or inserted zero) for each output cell.\t同一输入放大 {f} 倍到相同尺寸和通道数：每种方式的第 0 个输出通道，下方是每个输出格子有多少个卷积核位置读到真实像素（不是填充或插入的 0）。\n\
lab.backward.about\tThe gradient of input channel 0 when the gradient of every output cell is 1, as the backward pass computes it (the adjoint of the layer).\t当每个输出格子的梯度都为 1 时，输入第 0 个通道的梯度，即反向传播（该层的伴随运算）算出的结果。\n\
lab.grow.transposed\tTransposed convolution\t转置卷积\n\
lab.grow.nearest\tNearest upsampling + conv\t最近邻上采样 + 卷积\n\
lab.grow.bilinear\tBilinear upsampling + conv\t双线性上采样 + 卷积\n\
lab.grow.subpixel\tSub-pixel convolution\t亚像素卷积\n\
lab.grow.costs\t{shape} · {params} parameters · {macs} MACs\t{shape} · 参数 {params} · 乘加 {macs}\n\
lab.grow.taps\tTaps on real pixels per output cell\t每个输出格子读到真实像素的次数\n\
lab.backward.gradient\tInput gradient, with the layer's weights\t输入梯度（本层权重）\n\
lab.backward.paths\tPaths from the output, every weight 1\t从输出出发的路径数（权重全为 1）\n\
";

/// [`FIGURE_STRINGS`] as `(key, English, 中文)` entries, parsed once.
pub fn figure_strings() -> &'static [(&'static str, &'static str, &'static str)] {
    static ENTRIES: std::sync::OnceLock<Vec<(&str, &str, &str)>> = std::sync::OnceLock::new();
    ENTRIES.get_or_init(|| entries(FIGURE_STRINGS))
}

/// The lines of a table as `(key, English, 中文)`; a line without three parts is left out (the
/// tests check that none is).
fn entries(table: &'static str) -> Vec<(&'static str, &'static str, &'static str)> {
    table
        .lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, '\t');
            Some((parts.next()?, parts.next()?, parts.next()?))
        })
        .collect()
}

fn lookup(table: &'static [(&str, &str, &str)], lang: Lang, key: &str) -> &'static str {
    match table.iter().find(|(k, _, _)| *k == key) {
        Some((_, en, zh)) => match lang {
            Lang::En => en,
            Lang::Zh => zh,
        },
        None => "?",
    }
}

/// The text of a lab figure's `key` ([`FIGURE_STRINGS`]).
pub fn tr_figure(lang: Lang, key: &str) -> &'static str {
    lookup(figure_strings(), lang, key)
}

/// `text` with its `{name}` placeholders filled in.
pub fn fill(text: &str, args: &[(&str, String)]) -> String {
    let mut s = text.to_string();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

/// The string of `key` in `lang`; the key itself if it is missing (a test keeps that from
/// happening).
pub fn tr(lang: Lang, key: &str) -> &'static str {
    lookup(strings(), lang, key)
}

/// [`tr`] with `{name}` placeholders filled in.
pub fn trf(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    fill(tr(lang, key), args)
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
        for (key, en, zh) in strings().iter().chain(figure_strings()) {
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
                assert!(strings().iter().any(|(k, _, _)| *k == key), "missing {key}");
            }
        }
        for p in Param::ALL {
            let key = format!("param.{}", p.name());
            assert!(strings().iter().any(|(k, _, _)| *k == key), "missing {key}");
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
            let (_, en, zh) = strings()
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
            include_str!("components/lab.rs"),
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
                assert!(strings().iter().any(|(k, _, _)| *k == key), "missing {key}");
            }
        }
    }

    #[test]
    fn every_line_of_the_tables_is_an_entry() {
        assert_eq!(strings().len(), STRINGS.lines().count());
        assert_eq!(figure_strings().len(), FIGURE_STRINGS.lines().count());
        assert!(strings().len() > 200);
        assert_eq!(tr(Lang::Zh, "title"), "卷积层互动图解");
        assert_eq!(tr(Lang::En, "no.such.key"), "?");
    }

    #[test]
    fn every_figure_key_used_exists() {
        let src = [include_str!("lab.rs"), include_str!("stack_view.rs")].concat();
        let mut used = 0;
        for part in src.split("tr_figure(lang, \"").skip(1) {
            let key = &part[..part.find('"').unwrap()];
            assert!(
                figure_strings().iter().any(|(k, _, _)| *k == key),
                "missing {key}"
            );
            used += 1;
        }
        assert!(used >= 4, "{used}");
        for name in ["transposed", "nearest", "bilinear", "subpixel"] {
            assert_ne!(tr_figure(Lang::Zh, &format!("lab.grow.{name}")), "?");
        }
        for kind in LayerKind::ALL {
            assert_ne!(
                tr_figure(Lang::Zh, &format!("stack.layer.{}", kind.name())),
                "?"
            );
        }
        assert_eq!(
            fill("{a} and {b}", &[("a", "1".into()), ("b", "2".into())]),
            "1 and 2"
        );
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
