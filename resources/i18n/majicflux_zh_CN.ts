<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>DesktopApp</name>
    <message>
        <source>The settings could not be saved ({error}).</source>
        <translation>设置无法保存（{error}）。</translation>
    </message>
    <message>
        <source>The new output folder is used after a restart of MajicFlux.</source>
        <translation>新的输出文件夹将在重新启动 MajicFlux 后生效。</translation>
    </message>
</context>
<context>
    <name>DownloadPage</name>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>ModelScope</source>
        <translation>魔搭 ModelScope</translation>
    </message>
    <message>
        <source>Hugging Face</source>
        <translation>Hugging Face</translation>
    </message>
    <message>
        <source>A Hugging Face mirror:</source>
        <translation>Hugging Face 镜像：</translation>
    </message>
    <message>
        <source>Recommended. Works from mainland China; no account or token needed. majicflus_v1 is published there only.</source>
        <translation>推荐。在中国大陆可直接访问，无需账号或令牌。majicflus_v1 只在这里发布。</translation>
    </message>
    <message>
        <source>Usually not reachable from mainland China. Needs a token (see below). majicflus_v1 itself still comes from ModelScope, the only place it is published.</source>
        <translation>在中国大陆通常无法访问。需要访问令牌（见下）。majicflus_v1 本身仍从魔搭（ModelScope）下载，它只在那里发布。</translation>
    </message>
    <message>
        <source>FLUX.1-dev, whose text encoders and VAE MajicFlux uses, is a gated repository on Hugging Face: its authors ask everyone to accept the FLUX.1 [dev] Non-Commercial License before downloading. Sign in at huggingface.co/black-forest-labs/FLUX.1-dev, accept the licence there, create an access token with read access (Settings ▸ Access Tokens) and paste it below. Mirrors pass the same gate on. majicflus_v1 itself always comes from ModelScope.</source>
        <translation>MajicFlux 使用的 FLUX.1-dev 文本编码器和 VAE 在 Hugging Face 上是受限仓库：作者要求下载前先同意 FLUX.1 [dev] 非商业许可。请在 huggingface.co/black-forest-labs/FLUX.1-dev 登录并同意该许可，创建一个有读取权限的访问令牌（Settings ▸ Access Tokens），再粘贴到下方。镜像站同样受此限制。majicflus_v1 本身始终从魔搭 ModelScope 下载。</translation>
    </message>
    <message>
        <source>Only for Hugging Face or a mirror (hf_…); never saved to disk</source>
        <translation>仅用于 Hugging Face 或镜像（hf_…）；不会保存到磁盘</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Access token</source>
        <translation>访问令牌</translation>
    </message>
    <message>
        <source>Save to</source>
        <translation>保存到</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <source>Ask the source for the file list and sizes, and look at the disk</source>
        <translation>向来源获取文件列表和大小，并检查磁盘</translation>
    </message>
    <message>
        <source>Start download</source>
        <translation>开始下载</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>About 22 GB: the majicflus_v1 transformer, and the text encoders, VAE and tokenizers of FLUX.1-dev. Interrupted downloads continue where they stopped, also after MajicFlux was closed; every file is checked before it is used.</source>
        <translation>约 22 GB：majicflus_v1 主模型（transformer），以及 FLUX.1-dev 的文本编码器、VAE 和分词器。中断的下载会从停下的地方继续，关闭 MajicFlux 后也一样；每个文件在使用前都会经过校验。</translation>
    </message>
    <message>
        <source>Only the files still missing: {titles}.</source>
        <translation>只下载仍缺少的文件：{titles}。</translation>
    </message>
    <message>
        <source>Asking {source} for the file list…</source>
        <translation>正在向 {source} 获取文件列表…</translation>
    </message>
    <message>
        <source>“{folder}” is not a full path. Choose the folder with “Choose…”, or type its full path, such as {example}.</source>
        <translation>“{folder}” 不是完整路径。请用“选择…”选择文件夹，或输入完整路径，例如 {example}。</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Choose where to save the model files</source>
        <translation>选择模型文件的保存位置</translation>
    </message>
    <message>
        <source>{count} files, {total} in all, from {source}.</source>
        <translation>共 {count} 个文件，合计 {total}，来自 {source}。</translation>
    </message>
    <message>
        <source>Already there: {size}.</source>
        <translation>已有：{size}。</translation>
    </message>
    <message>
        <source>Resuming: {size} already downloaded.</source>
        <translation>继续下载：已下载 {size}。</translation>
    </message>
    <message>
        <source>To download: {size}. Free on that drive: {free}.</source>
        <translation>需下载：{size}。该磁盘剩余空间：{free}。</translation>
    </message>
    <message>
        <source>The files go to: {folders}</source>
        <translation>文件保存到：{folders}</translation>
    </message>
    <message>
        <source>All files are downloaded and verified. Loading the engine…</source>
        <translation>所有文件已下载并通过校验。正在加载引擎…</translation>
    </message>
</context>
<context>
    <name>DownloadProgressView</name>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <source>{done} of {total}</source>
        <translation>{done} / {total}</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>{speed}/s</source>
        <translation>{speed}/秒</translation>
    </message>
    <message>
        <source>{eta} left</source>
        <translation>剩余 {eta}</translation>
    </message>
    <message>
        <source>Now: {file}, {percent:.0%}</source>
        <translation>当前：{file}，{percent:.0%}</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>already there</source>
        <translation>已有</translation>
    </message>
    <message>
        <source>downloading</source>
        <translation>下载中</translation>
    </message>
    <message>
        <source>retrying</source>
        <translation>重试中</translation>
    </message>
    <message>
        <source>verifying</source>
        <translation>校验中</translation>
    </message>
    <message>
        <source>done, verified</source>
        <translation>完成，已校验</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
</context>
<context>
    <name>EditOptionsForm</name>
    <message>
        <source>Image to image</source>
        <translation>图生图</translation>
    </message>
    <message>
        <source>Repaint the whole picture; strength says how much changes</source>
        <translation>重绘整张图片；重绘强度决定改变多少</translation>
    </message>
    <message>
        <source>Inpaint</source>
        <translation>局部重绘</translation>
    </message>
    <message>
        <source>Repaint only the part you paint</source>
        <translation>只重绘你涂抹的部分</translation>
    </message>
    <message>
        <source>Outpaint</source>
        <translation>扩图</translation>
    </message>
    <message>
        <source>Make the picture larger: paint new surroundings beyond its edges</source>
        <translation>把图片扩大：在原有边缘之外画出新的周边内容</translation>
    </message>
    <message>
        <source>Upscale</source>
        <translation>放大</translation>
    </message>
    <message>
        <source>Make the picture larger with new fine detail (up to 2048 pixels)</source>
        <translation>放大图片并补出新的细节（最大 2048 像素）</translation>
    </message>
    <message>
        <source>Back to this mode&apos;s usual strength</source>
        <translation>恢复此模式的常用重绘强度</translation>
    </message>
    <message>
        <source>How much is repainted: low keeps more of the picture, 1 repaints it completely. About strength × steps steps run.</source>
        <translation>重绘多少：数值低则保留更多原图，1 则完全重绘。实际运行约“重绘强度 × 步数”步。</translation>
    </message>
    <message>
        <source>Fit into the size</source>
        <translation>完整放入尺寸</translation>
    </message>
    <message>
        <source>All of the picture, scaled into the chosen size</source>
        <translation>整张图片缩放到所选尺寸之内</translation>
    </message>
    <message>
        <source>Fill the size</source>
        <translation>填满尺寸</translation>
    </message>
    <message>
        <source>The chosen size covered; the picture&apos;s edges cropped</source>
        <translation>铺满所选尺寸，图片边缘会被裁掉</translation>
    </message>
    <message>
        <source>Keep the picture&apos;s size</source>
        <translation>保持源图尺寸</translation>
    </message>
    <message>
        <source>The picture&apos;s own size, rounded to 16 pixels</source>
        <translation>使用图片自身的尺寸，取整到 16 像素的倍数</translation>
    </message>
    <message>
        <source>Masked area, full resolution</source>
        <translation>蒙版区域，全分辨率</translation>
    </message>
    <message>
        <source>Whole picture</source>
        <translation>整张图片</translation>
    </message>
    <message>
        <source>Masked area: only the part around the mask is generated, at its full resolution (best for small fixes in large pictures). Whole picture: the whole picture is generated at up to 2048 pixels and only the mask is kept.</source>
        <translation>蒙版区域：只生成蒙版周围的部分，使用其完整分辨率（最适合在大图上做小修改）。整张图片：以最大 2048 像素生成整张图，只保留蒙版内的结果。</translation>
    </message>
    <message>
        <source>Context around the mask that the model sees when it repaints the masked area</source>
        <translation>重绘蒙版区域时，模型能看到的蒙版周围的上下文</translation>
    </message>
    <message>
        <source>Pixels over which the repainted part blends into the picture</source>
        <translation>重绘部分与原图融合过渡的像素宽度</translation>
    </message>
    <message>
        <source>Left</source>
        <translation>左</translation>
    </message>
    <message>
        <source>Top</source>
        <translation>上</translation>
    </message>
    <message>
        <source>Right</source>
        <translation>右</translation>
    </message>
    <message>
        <source>Bottom</source>
        <translation>下</translation>
    </message>
    <message>
        <source>Pixels added on this side (0–{limit})</source>
        <translation>在这一侧增加的像素（0–{limit}）</translation>
    </message>
    <message>
        <source>+{pixels} on every side</source>
        <translation>四边各 +{pixels}</translation>
    </message>
    <message>
        <source>None</source>
        <translation>不扩</translation>
    </message>
    <message>
        <source>Add nothing on any side</source>
        <translation>四边都不增加</translation>
    </message>
    <message>
        <source>Upscaling stops at 2048 pixels on the long side</source>
        <translation>放大到长边 2048 像素为止</translation>
    </message>
    <message>
        <source>Strength</source>
        <translation>重绘强度</translation>
    </message>
    <message>
        <source>Resize</source>
        <translation>适配方式</translation>
    </message>
    <message>
        <source>Mask</source>
        <translation>蒙版</translation>
    </message>
    <message>
        <source>Area</source>
        <translation>重绘范围</translation>
    </message>
    <message>
        <source>Padding</source>
        <translation>边距</translation>
    </message>
    <message>
        <source>Feather</source>
        <translation>羽化</translation>
    </message>
    <message>
        <source>Factor</source>
        <translation>倍数</translation>
    </message>
</context>
<context>
    <name>EditPanel</name>
    <message>
        <source>Picture</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>Choose the source picture</source>
        <translation>选择源图</translation>
    </message>
    <message>
        <source>The clipboard holds no picture. Copy a picture, then paste.</source>
        <translation>剪贴板里没有图片。请先复制一张图片，再粘贴。</translation>
    </message>
    <message>
        <source>Pasted picture</source>
        <translation>粘贴的图片</translation>
    </message>
    <message>
        <source>The source picture is still being read. Wait a moment.</source>
        <translation>源图仍在读取中，请稍候。</translation>
    </message>
    <message>
        <source>Source of the reused image</source>
        <translation>复用图片的源图</translation>
    </message>
    <message>
        <source>The mask was kept for the new picture.</source>
        <translation>蒙版已保留给新图片使用。</translation>
    </message>
    <message>
        <source>The mask was removed: the new picture has another size. Paint it again.</source>
        <translation>蒙版已移除：新图片的尺寸不同。请重新涂抹。</translation>
    </message>
    <message>
        <source>The mask was {mask_width}×{mask_height} pixels and the picture is {width}×{height}; the mask was scaled to the picture.</source>
        <translation>蒙版为 {mask_width}×{mask_height} 像素，而图片为 {width}×{height}；蒙版已缩放到图片大小。</translation>
    </message>
</context>
<context>
    <name>EngineWorker</name>
    <message>
        <source>Writing the demo models (random weights)…</source>
        <translation>正在写入演示模型（随机权重）…</translation>
    </message>
    <message>
        <source>Checking the model files…</source>
        <translation>正在检查模型文件…</translation>
    </message>
    <message>
        <source>Starting the engine (PyTorch)…</source>
        <translation>正在启动引擎（PyTorch）…</translation>
    </message>
    <message>
        <source>Loading the models (memory plan: {plan})…</source>
        <translation>正在加载模型（显存方案：{plan}）…</translation>
    </message>
</context>
<context>
    <name>ExistingFilesPage</name>
    <message>
        <source>Use existing files</source>
        <translation>使用已有文件</translation>
    </message>
    <message>
        <source>Choose the folder where you keep FLUX files: a ComfyUI or Forge folder (or its models folder), a ModelScope or Hugging Face cache, or any folder. Everything inside it is looked at; files are recognised by their contents, not their names, and used where they are: nothing is copied.</source>
        <translation>选择你存放 FLUX 文件的文件夹：ComfyUI 或 Forge 文件夹（或其中的 models 文件夹）、ModelScope 或 Hugging Face 缓存，或任意文件夹。其中的所有文件都会被查看；按文件内容而不是文件名识别，并在原位置使用：不会复制任何文件。</translation>
    </message>
    <message>
        <source>No folder chosen yet</source>
        <translation>尚未选择文件夹</translation>
    </message>
    <message>
        <source>Choose folder…</source>
        <translation>选择文件夹…</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <source>Download the missing files…</source>
        <translation>下载缺少的文件…</translation>
    </message>
    <message>
        <source>Use these files</source>
        <translation>使用这些文件</translation>
    </message>
    <message>
        <source>Choose the folder with the model files</source>
        <translation>选择存放模型文件的文件夹</translation>
    </message>
    <message>
        <source>Looking at the files in {folder}…</source>
        <translation>正在查看 {folder} 中的文件…</translation>
    </message>
    <message>
        <source>Choose a folder to see what it holds.</source>
        <translation>选择一个文件夹，看看里面有什么。</translation>
    </message>
    <message>
        <source>{folder}: {found} of {total} required files found ({count} model files looked at).</source>
        <translation>{folder}：找到 {found} / {total} 个所需文件（查看了 {count} 个模型文件）。</translation>
    </message>
    <message>
        <source>These are the demo&apos;s tiny random-weight files: they make noise, not pictures. Choose the folder with the real model files, or download them.</source>
        <translation>这些是演示用的随机权重微型模型文件：只会生成噪点，而不是图画。请选择存放真实模型文件的文件夹，或下载模型。</translation>
    </message>
    <message>
        <source>Everything is there. “Use these files” loads them where they are.</source>
        <translation>文件齐全。点击“使用这些文件”即在原位置加载。</translation>
    </message>
    <message>
        <source>Still missing: {titles}. Choose another folder, or download only the missing files.</source>
        <translation>仍缺少：{titles}。请选择其他文件夹，或只下载缺少的文件。</translation>
    </message>
</context>
<context>
    <name>GalleryPanel</name>
    <message>
        <source>Family of #{id} ✕</source>
        <translation>#{id} 的家族 ✕</translation>
    </message>
    <message>
        <source>Could not move the image to the trash: {reason}</source>
        <translation>无法将图片移到回收站：{reason}</translation>
    </message>
    <message>
        <source>Moved to trash — Ctrl+Z to undo</source>
        <translation>已移到回收站 — 按 Ctrl+Z 撤销</translation>
    </message>
    <message>
        <source>Nothing to undo</source>
        <translation>没有可撤销的操作</translation>
    </message>
    <message>
        <source>Could not restore the image: {reason}</source>
        <translation>无法恢复图片：{reason}</translation>
    </message>
    <message>
        <source>Restored from the trash</source>
        <translation>已从回收站恢复</translation>
    </message>
    <message>
        <source>All LoRAs</source>
        <translation>全部 LoRA</translation>
    </message>
    <message>
        <source>Re-roll ×{n}</source>
        <translation>重新随机 ×{n}</translation>
    </message>
    <message>
        <source>Reuse all parameters</source>
        <translation>复用全部参数</translation>
    </message>
    <message>
        <source>Show its family</source>
        <translation>显示它的家族</translation>
    </message>
    <message>
        <source>Copy seed</source>
        <translation>复制种子</translation>
    </message>
    <message>
        <source>Copy prompt</source>
        <translation>复制提示词</translation>
    </message>
    <message>
        <source>Favourite</source>
        <translation>收藏</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>打开所在文件夹</translation>
    </message>
    <message>
        <source>Export without metadata…</source>
        <translation>导出（不含参数信息）…</translation>
    </message>
    <message>
        <source>Search prompts…</source>
        <translation>搜索提示词…</translation>
    </message>
    <message>
        <source>Show only favourite images</source>
        <translation>只显示收藏的图片</translation>
    </message>
    <message>
        <source>Show only images made with this LoRA</source>
        <translation>只显示用这个 LoRA 生成的图片</translation>
    </message>
    <message>
        <source>Showing one picture&apos;s family. Click to show every image.</source>
        <translation>正在显示一张图片的家族（来源和由它生成的图片）。点击显示全部图片。</translation>
    </message>
    <message>
        <source>Newest first</source>
        <translation>最新在前</translation>
    </message>
    <message>
        <source>Oldest first</source>
        <translation>最早在前</translation>
    </message>
    <message>
        <source>Search prompts</source>
        <translation>搜索提示词</translation>
    </message>
    <message>
        <source>Re-roll</source>
        <translation>重新随机</translation>
    </message>
    <message>
        <source>Reuse seed</source>
        <translation>复用种子</translation>
    </message>
    <message>
        <source>Move to trash</source>
        <translation>移到回收站</translation>
    </message>
    <message>
        <source>Undo move to trash</source>
        <translation>撤销移到回收站</translation>
    </message>
    <message>
        <source>Use as source</source>
        <translation>用作源图</translation>
    </message>
    <message>
        <source>Favourites</source>
        <translation>收藏</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n 张图片</numerusform>
        </translation>
    </message>
    <message>
        <source>No image matches “{search}”.
Search looks in prompts and negative prompts, in any language.</source>
        <translation>没有与“{search}”匹配的图片。
搜索范围包括提示词和负向提示词，支持任何语言。</translation>
    </message>
    <message>
        <source>No image of this family matches.
Click “Family of #{id}” above to see every image.</source>
        <translation>这个家族中没有符合的图片。
点击上方的“#{id} 的家族”查看全部图片。</translation>
    </message>
    <message>
        <source>No image made with the LoRA “{name}” matches.
Choose “All LoRAs” to see every image.</source>
        <translation>没有符合条件、用 LoRA“{name}”生成的图片。
选择“全部 LoRA”即可看到所有图片。</translation>
    </message>
    <message>
        <source>No favourites yet.
Right-click an image and choose Favourite to keep it here.</source>
        <translation>还没有收藏。
右键点击图片并选择“收藏”，它就会出现在这里。</translation>
    </message>
    <message>
        <source>No images yet.
Write a prompt and press Ctrl+Enter to make your first image: it will appear here with its seed.</source>
        <translation>还没有图片。
写下提示词并按 Ctrl+Enter 生成第一张图片：它会连同随机种子一起出现在这里。</translation>
    </message>
</context>
<context>
    <name>ImageDetails</name>
    <message>
        <source>Select an image in the gallery to see it here.</source>
        <translation>在图库中选择一张图片，即可在这里查看。</translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation>正在生成…</translation>
    </message>
    <message>
        <source>Re-roll</source>
        <translation>重新随机</translation>
    </message>
    <message>
        <source>Same parameters, new random seed (Ctrl+R)</source>
        <translation>参数不变，换一个新的随机种子（Ctrl+R）</translation>
    </message>
    <message>
        <source>Re-roll ×{n}</source>
        <translation>重新随机 ×{n}</translation>
    </message>
    <message>
        <source>Reuse seed</source>
        <translation>复用种子</translation>
    </message>
    <message>
        <source>Put this seed into the prompt panel (Ctrl+Shift+R)</source>
        <translation>把这个随机种子填入提示词面板（Ctrl+Shift+R）</translation>
    </message>
    <message>
        <source>Reuse all parameters</source>
        <translation>复用全部参数</translation>
    </message>
    <message>
        <source>Put the prompt, seed and every setting into the prompt panel</source>
        <translation>把提示词、随机种子和全部参数填入提示词面板</translation>
    </message>
    <message>
        <source>Use as source</source>
        <translation>用作源图</translation>
    </message>
    <message>
        <source>Start from this image: image to image, inpaint, outpaint or upscale (Ctrl+I)</source>
        <translation>从这张图片开始：图生图、局部重绘、扩图或放大（Ctrl+I）</translation>
    </message>
    <message>
        <source>Favourite</source>
        <translation>收藏</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the seed or the prompt</source>
        <translation>复制随机种子或提示词</translation>
    </message>
    <message>
        <source>Copy seed</source>
        <translation>复制种子</translation>
    </message>
    <message>
        <source>Copy prompt</source>
        <translation>复制提示词</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>打开所在文件夹</translation>
    </message>
    <message>
        <source>Full view</source>
        <translation>全屏查看</translation>
    </message>
    <message>
        <source>Open in the viewer (F11)</source>
        <translation>在看图窗口中打开（F11）</translation>
    </message>
    <message>
        <source>This file cannot be read as an image:
{path}</source>
        <translation>无法作为图片读取此文件：
{path}</translation>
    </message>
    <message>
        <source>The file is missing: it was moved or deleted outside the app.
{path}</source>
        <translation>文件不见了：它在本应用之外被移动或删除。
{path}</translation>
    </message>
</context>
<context>
    <name>LoraCatalog</name>
    <message>
        <source>This file</source>
        <translation>此文件</translation>
    </message>
</context>
<context>
    <name>LoraChecks</name>
    <message>
        <source>LoRA “{name}” is not in your LoRA folders ({folders}). Put the file there or check the name: did you mean “{near}”?</source>
        <translation>LoRA“{name}”不在你的 LoRA 文件夹中（{folders}）。请把文件放到那里，或检查名称：你是不是想用“{near}”？</translation>
    </message>
    <message>
        <source>LoRA “{name}” is not in your LoRA folders ({folders}). Put the file there or check the name.</source>
        <translation>LoRA“{name}”不在你的 LoRA 文件夹中（{folders}）。请把文件放到那里，或检查名称是否写对。</translation>
    </message>
    <message>
        <source>LoRA “{name}” cannot be used: {reason}</source>
        <translation>LoRA“{name}”无法使用：{reason}</translation>
    </message>
</context>
<context>
    <name>LoraDetails</name>
    <message>
        <source>Trigger words</source>
        <translation>触发词</translation>
    </message>
    <message>
        <source>Frequent tags</source>
        <translation>常见标签</translation>
    </message>
    <message>
        <source>Base model</source>
        <translation>基础模型</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>秩（Rank）</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Layout</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Layers matched</source>
        <translation>匹配的层</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Add to the prompt</source>
        <translation>添加到提示词</translation>
    </message>
    <message>
        <source>Cannot be used: {reason}</source>
        <translation>无法使用：{reason}</translation>
    </message>
    <message>
        <source>{matched} of {total}</source>
        <translation>{matched} / {total}</translation>
    </message>
    <message>
        <source>Favourite</source>
        <translation>收藏</translation>
    </message>
    <message>
        <source>Reading the file…</source>
        <translation>正在读取文件…</translation>
    </message>
    <message>
        <source>Keep this LoRA at the top of the list</source>
        <translation>把这个 LoRA 放在列表顶部</translation>
    </message>
    <message>
        <source>A LoRA that cannot be used cannot be a favourite</source>
        <translation>无法使用的 LoRA 不能收藏</translation>
    </message>
    <message>
        <source>Turn on in the prompt</source>
        <translation>在提示词中启用</translation>
    </message>
    <message>
        <source>Already in the prompt</source>
        <translation>已在提示词中</translation>
    </message>
</context>
<context>
    <name>LoraDownloadDialog</name>
    <message>
        <source>Download a LoRA</source>
        <translation>下载 LoRA</translation>
    </message>
    <message>
        <source>{example} or https://…/name.safetensors</source>
        <translation>{example} 或 https://…/名称.safetensors</translation>
    </message>
    <message>
        <source>A ModelScope model id (owner/name; owner/name/file.safetensors when it holds several LoRAs), or the link of a .safetensors file. Only .safetensors files are downloaded, and a file MajicFlux cannot use is deleted again.</source>
        <translation>魔搭 ModelScope 模型 ID（作者/名称；仓库里有多个 LoRA 时写 作者/名称/文件.safetensors），或 .safetensors 文件的下载链接。只下载 .safetensors 文件；MajicFlux 无法使用的文件会再被删除。</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>ModelScope model id or address</source>
        <translation>魔搭模型 ID 或下载地址</translation>
    </message>
    <message>
        <source>Save to</source>
        <translation>保存到</translation>
    </message>
    <message>
        <source>There is no LoRA folder: choose a models folder in Settings, or add a LoRA folder there.</source>
        <translation>没有 LoRA 文件夹：请在设置中选择模型文件夹，或在那里添加一个 LoRA 文件夹。</translation>
    </message>
    <message>
        <source>Looking up {address}…</source>
        <translation>正在查找 {address}…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>{name} is already in this folder.</source>
        <translation>{name} 已在此文件夹中。</translation>
    </message>
    <message>
        <source>{name}: continuing after {kept} of {size}…</source>
        <translation>{name}：已有 {kept}（共 {size}），继续下载…</translation>
    </message>
    <message>
        <source>{name}: {size}, starting…</source>
        <translation>{name}：{size}，开始下载…</translation>
    </message>
    <message>
        <source>{name}: {done} of {total}</source>
        <translation>{name}：{done} / {total}</translation>
    </message>
    <message>
        <source>{time} left</source>
        <translation>剩余 {time}</translation>
    </message>
    <message>
        <source>{name} is ready.</source>
        <translation>{name} 已就绪。</translation>
    </message>
    <message>
        <source>The download was cancelled. What arrived is kept: download the same address again to continue.</source>
        <translation>下载已取消。已下载的部分会保留：再次下载同一地址即可继续。</translation>
    </message>
</context>
<context>
    <name>LoraFolderList</name>
    <message>
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Always looked in: {folders}. Add the LoRA folders of other apps here to use their LoRAs where they are.</source>
        <translation>始终会查找：{folders}。在这里添加其他软件的 LoRA 文件夹，即可直接使用其中的 LoRA，无需复制。</translation>
    </message>
    <message>
        <source>This folder does not exist (now): no LoRA is found there.</source>
        <translation>此文件夹（目前）不存在：在这里找不到 LoRA。</translation>
    </message>
    <message>
        <source>{app} install: {folder}</source>
        <translation>{app} 安装目录：{folder}</translation>
    </message>
    <message>
        <source>Use these LoRAs</source>
        <translation>使用这些 LoRA</translation>
    </message>
    <message>
        <source>Look for LoRAs in this folder too; the files stay where they are</source>
        <translation>也在这个文件夹中查找 LoRA；文件保留在原处</translation>
    </message>
    <message>
        <source>Added</source>
        <translation>已添加</translation>
    </message>
    <message>
        <source>Choose a LoRA folder</source>
        <translation>选择 LoRA 文件夹</translation>
    </message>
</context>
<context>
    <name>LoraPicker</name>
    <message>
        <source>Add LoRA</source>
        <translation>添加 LoRA</translation>
    </message>
    <message>
        <source>Search names, trigger words and tags…</source>
        <translation>搜索名称、触发词和标签…</translation>
    </message>
    <message>
        <source>Rescan</source>
        <translation>重新扫描</translation>
    </message>
    <message>
        <source>Look in the LoRA folders again</source>
        <translation>重新查找 LoRA 文件夹中的文件</translation>
    </message>
    <message>
        <source>Open LoRA folder</source>
        <translation>打开 LoRA 文件夹</translation>
    </message>
    <message>
        <source>Open the folder where LoRA files go (it is created if it is not there)</source>
        <translation>打开存放 LoRA 文件的文件夹（不存在时会自动创建）</translation>
    </message>
    <message>
        <source>Download…</source>
        <translation>下载…</translation>
    </message>
    <message>
        <source>Download a LoRA by its ModelScope model id or the link of its .safetensors file</source>
        <translation>按魔搭 ModelScope 模型 ID 或 .safetensors 文件链接下载 LoRA</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Favourites</source>
        <translation>收藏</translation>
    </message>
    <message>
        <source>Recently used</source>
        <translation>最近使用</translation>
    </message>
    <message>
        <source>All LoRA files ({count})</source>
        <translation>全部 LoRA 文件（{count}）</translation>
    </message>
    <message>
        <source>Cannot be used: {reason}</source>
        <translation>无法使用：{reason}</translation>
    </message>
    <message>
        <source>Trigger words: {words}</source>
        <translation>触发词：{words}</translation>
    </message>
    <message>
        <source>LoRA folders: {folders}</source>
        <translation>LoRA 文件夹：{folders}</translation>
    </message>
    <message>
        <source>Looking for LoRA files…</source>
        <translation>正在查找 LoRA 文件…</translation>
    </message>
    <message>
        <source>No LoRA matches “{search}”.
Search looks in names, titles, trigger words and training tags, in any language.</source>
        <translation>没有与“{search}”匹配的 LoRA。
搜索范围包括名称、标题、触发词和训练标签，中英文均可。</translation>
    </message>
    <message>
        <source>No LoRA files yet.

Put LoRA files made for FLUX.1 (.safetensors) in
{folder}
and they appear here at once.

LoRAs you keep for ComfyUI (models/loras) or Forge (models/Lora) can be used where they are: add their folder in Settings ▸ LoRA folders.</source>
        <translation>还没有 LoRA 文件。

把为 FLUX.1 制作的 LoRA 文件（.safetensors）放到
{folder}
它们会立即出现在这里。

ComfyUI（models/loras）或 Forge（models/Lora）里的 LoRA 可以直接使用：在“设置 ▸ LoRA 文件夹”中添加它们所在的文件夹即可。</translation>
    </message>
    <message>
        <source>“{path}” could not be read ({reason}). Check that the file is still there.</source>
        <translation>无法读取“{path}”（{reason}）。请确认文件仍在原处。</translation>
    </message>
    <message>
        <source>The LoRA folder could not be created ({reason}). Choose another models folder in Settings, or add a LoRA folder there.</source>
        <translation>无法创建 LoRA 文件夹（{reason}）。请在设置中选择其他模型文件夹，或在那里添加一个 LoRA 文件夹。</translation>
    </message>
</context>
<context>
    <name>LoraRow</name>
    <message>
        <source>On: used for the next image. Off: kept here, not used.</source>
        <translation>开：下一张图片会使用它。关：保留在这里，但不使用。</translation>
    </message>
    <message>
        <source>Trigger words</source>
        <translation>触发词</translation>
    </message>
    <message>
        <source>Remove this LoRA</source>
        <translation>移除这个 LoRA</translation>
    </message>
    <message>
        <source>Weight: how strongly the LoRA acts. 1 is typical; below 0 it works against its style.</source>
        <translation>权重：LoRA 的作用强度。通常为 1；小于 0 时会反向削弱它的风格。</translation>
    </message>
    <message>
        <source>Weight of {name}</source>
        <translation>{name} 的权重</translation>
    </message>
    <message>
        <source>Put its trigger words at the start of the prompt: {words}</source>
        <translation>把它的触发词加到提示词开头：{words}</translation>
    </message>
    <message>
        <source>This LoRA&apos;s file records no trigger words.</source>
        <translation>这个 LoRA 文件没有记录触发词。</translation>
    </message>
    <message>
        <source>“{name}” is not in your LoRA folders.</source>
        <translation>“{name}”不在你的 LoRA 文件夹中。</translation>
    </message>
    <message>
        <source>Cannot be used: {reason}</source>
        <translation>无法使用：{reason}</translation>
    </message>
    <message>
        <source>Base model: {model}</source>
        <translation>基础模型：{model}</translation>
    </message>
    <message>
        <source>Rank: {rank}</source>
        <translation>秩（Rank）：{rank}</translation>
    </message>
    <message>
        <source>Layers matched: {matched} of {total}</source>
        <translation>匹配的层：{matched} / {total}</translation>
    </message>
    <message>
        <source>Size: {size}</source>
        <translation>大小：{size}</translation>
    </message>
    <message>
        <source>File: {path}</source>
        <translation>文件：{path}</translation>
    </message>
</context>
<context>
    <name>LoraStack</name>
    <message>
        <source>Add LoRA…</source>
        <translation>添加 LoRA…</translation>
    </message>
    <message>
        <source>No LoRA. Add one, or type &lt;lora:name:weight&gt; in the prompt.</source>
        <translation>未使用 LoRA。点击“添加 LoRA…”，或在提示词中输入 &lt;lora:名称:权重&gt;。</translation>
    </message>
    <message>
        <source>At most {limit} LoRAs can be used at once.</source>
        <translation>最多可同时使用 {limit} 个 LoRA。</translation>
    </message>
    <message>
        <source>Choose a LoRA from your LoRA folders</source>
        <translation>从你的 LoRA 文件夹中选择一个 LoRA</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>DEMO: tiny model with random weights</source>
        <translation>演示：随机权重的微型模型</translation>
    </message>
    <message>
        <source>Queued. The queue is paused: press “Resume queue” to start.</source>
        <translation>已加入队列。队列已暂停：点击“继续队列”开始。</translation>
    </message>
    <message>
        <source>Seed {seed} locked.</source>
        <translation>已锁定随机种子 {seed}。</translation>
    </message>
    <message>
        <source>All parameters reused.</source>
        <translation>已复用全部参数。</translation>
    </message>
    <message>
        <source>The file of image #{id} is missing (“{path}”): it was moved or deleted outside the app. Put it back, or choose another image.</source>
        <translation>图片 #{id} 的文件不见了（“{path}”）：它在应用之外被移动或删除了。请把它放回原处，或选择另一张图片。</translation>
    </message>
    <message>
        <source>Image #{id} is the source picture: choose what to do with it under Source picture.</source>
        <translation>图片 #{id} 已设为源图：请在“源图”下选择要怎样处理它。</translation>
    </message>
    <message>
        <source>Its prompt was filled in.</source>
        <translation>已填入它的提示词。</translation>
    </message>
    <message>
        <source>Image #{id} is in the trash or was deleted.</source>
        <translation>图片 #{id} 在回收站中，或已被删除。</translation>
    </message>
    <message>
        <source>The file “{path}” cannot be read.</source>
        <translation>无法读取文件“{path}”。</translation>
    </message>
    <message>
        <source>Image copied.</source>
        <translation>图片已复制。</translation>
    </message>
    <message>
        <source>Pasted picture</source>
        <translation>粘贴的图片</translation>
    </message>
    <message>
        <source>The pasted picture is the source picture now.</source>
        <translation>粘贴的图片现在是源图。</translation>
    </message>
    <message>
        <source>The trash is empty.</source>
        <translation>回收站是空的。</translation>
    </message>
    <message>
        <source>Empty trash</source>
        <translation>清空回收站</translation>
    </message>
    <message>
        <source>Delete the {count} image(s) in the trash for good? This cannot be undone.</source>
        <translation>永久删除回收站中的 {count} 张图片？此操作无法撤销。</translation>
    </message>
    <message>
        <source>Deleted {count} image(s) for good.</source>
        <translation>已永久删除 {count} 张图片。</translation>
    </message>
    <message>
        <source>Only files on this computer can be dropped.</source>
        <translation>只能拖入本机上的文件。</translation>
    </message>
    <message>
        <source>It is the source picture now.</source>
        <translation>它现在是源图。</translation>
    </message>
    <message>
        <source>Dropped picture</source>
        <translation>拖入的图片</translation>
    </message>
    <message>
        <source>“{name}” carries generation parameters. What should it be used for?</source>
        <translation>“{name}”带有生成参数。要怎样使用它？</translation>
    </message>
    <message>
        <source>Use its parameters</source>
        <translation>使用它的参数</translation>
    </message>
    <message>
        <source>Use it as the source image</source>
        <translation>用作源图</translation>
    </message>
    <message>
        <source>“{name}” is the source picture now.</source>
        <translation>“{name}”现在是源图。</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
</context>
<context>
    <name>MaskDialog</name>
    <message>
        <source>Paint the mask</source>
        <translation>涂抹蒙版</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <source>Paint what is to be repainted</source>
        <translation>涂抹要重绘的部分</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <source>Take parts out of the mask</source>
        <translation>从蒙版中擦除部分区域</translation>
    </message>
    <message>
        <source>Brush size in picture pixels ([ smaller, ] larger)</source>
        <translation>画笔大小，以图片像素计（[ 变小，] 变大）</translation>
    </message>
    <message>
        <source>Feather: how many pixels around the mask blend the new picture into the old. The soft edge of the overlay shows it.</source>
        <translation>羽化：蒙版周围有多少像素让新画面与原图融合。蒙版覆盖层的柔和边缘显示了这一范围。</translation>
    </message>
    <message>
        <source>Invert</source>
        <translation>反选</translation>
    </message>
    <message>
        <source>Repaint everything except what is painted</source>
        <translation>重绘除已涂抹部分以外的所有区域</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>Empty the mask</source>
        <translation>清空蒙版</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Show mask</source>
        <translation>显示蒙版</translation>
    </message>
    <message>
        <source>Show or hide the mask over the picture</source>
        <translation>显示或隐藏图片上的蒙版</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <source>Show the whole picture</source>
        <translation>显示整张图片</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Feather</source>
        <translation>羽化</translation>
    </message>
    <message>
        <source>Paint over what is to be repainted. Left button: the tool · right button: the other tool · wheel: zoom · middle button or Space+drag: move · [ ]: brush size</source>
        <translation>涂抹要重绘的部分。左键：当前工具 · 右键：另一个工具 · 滚轮：缩放 · 中键或空格+拖动：移动 · [ ]：画笔大小</translation>
    </message>
    <message>
        <source>Open mask…</source>
        <translation>打开蒙版…</translation>
    </message>
    <message>
        <source>Use a mask made elsewhere: white (or opaque) parts are repainted</source>
        <translation>使用在别处制作的蒙版：白色（或不透明）部分会被重绘</translation>
    </message>
    <message>
        <source>Save mask…</source>
        <translation>保存蒙版…</translation>
    </message>
    <message>
        <source>Save the mask as a PNG: white is repainted</source>
        <translation>把蒙版保存为 PNG：白色为重绘部分</translation>
    </message>
    <message>
        <source>Mask: {percent} of the picture · Zoom {zoom} %</source>
        <translation>蒙版：占图片的 {percent} · 缩放 {zoom} %</translation>
    </message>
    <message>
        <source>The mask is empty, so nothing would be repainted. Paint over the part of the picture to repaint, or press Cancel.</source>
        <translation>蒙版是空的，不会重绘任何内容。请涂抹要重绘的部分，或按“取消”。</translation>
    </message>
    <message>
        <source>Discard the mask?</source>
        <translation>放弃蒙版？</translation>
    </message>
    <message>
        <source>Close without keeping the changes to the mask?</source>
        <translation>关闭且不保留对蒙版的修改吗？</translation>
    </message>
    <message>
        <source>Open a mask</source>
        <translation>打开蒙版</translation>
    </message>
    <message>
        <source>Reading “{name}”…</source>
        <translation>正在读取“{name}”…</translation>
    </message>
    <message>
        <source>Open mask</source>
        <translation>打开蒙版</translation>
    </message>
    <message>
        <source>The mask was {mask_width}×{mask_height} pixels and the picture is {width}×{height}; the mask was scaled to the picture.</source>
        <translation>蒙版为 {mask_width}×{mask_height} 像素，而图片为 {width}×{height}；蒙版已缩放到图片大小。</translation>
    </message>
    <message>
        <source>Save the mask</source>
        <translation>保存蒙版</translation>
    </message>
    <message>
        <source>PNG pictures (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <source>The mask could not be saved to “{path}” ({reason}).</source>
        <translation>蒙版无法保存到“{path}”（{reason}）。</translation>
    </message>
    <message>
        <source>Saved “{name}”.</source>
        <translation>已保存“{name}”。</translation>
    </message>
</context>
<context>
    <name>MaskDocument</name>
    <message>
        <source>Brush stroke</source>
        <translation>画笔笔画</translation>
    </message>
    <message>
        <source>Eraser stroke</source>
        <translation>橡皮擦笔画</translation>
    </message>
    <message>
        <source>Invert mask</source>
        <translation>反选蒙版</translation>
    </message>
    <message>
        <source>Clear mask</source>
        <translation>清空蒙版</translation>
    </message>
</context>
<context>
    <name>MaskRow</name>
    <message>
        <source>Paint mask…</source>
        <translation>涂抹蒙版…</translation>
    </message>
    <message>
        <source>Paint over the part of the picture to repaint</source>
        <translation>涂抹图片中要重绘的部分</translation>
    </message>
    <message>
        <source>No mask yet</source>
        <translation>还没有蒙版</translation>
    </message>
    <message>
        <source>Repaints {percent} of the picture</source>
        <translation>重绘图片的 {percent}</translation>
    </message>
    <message>
        <source>Edit mask…</source>
        <translation>修改蒙版…</translation>
    </message>
</context>
<context>
    <name>Notice</name>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>PromptPanel</name>
    <message>
        <source>Describe the image: subject, setting, light, style. For example: “a ginger cat asleep on a sunny windowsill, soft morning light, film photo”. Ctrl+Enter generates.</source>
        <translation>描述你想要的画面：主体、场景、光线、风格。例如：“a ginger cat asleep on a sunny windowsill, soft morning light, film photo”（阳光窗台上熟睡的橘猫，柔和晨光，胶片质感）。按 Ctrl+Enter 开始生成。</translation>
    </message>
    <message>
        <source>What to avoid (optional)</source>
        <translation>不想出现的内容（可选）</translation>
    </message>
    <message>
        <source>A negative prompt only acts with a CFG scale above 1, which doubles the time per step.</source>
        <translation>负向提示词只在 CFG 系数大于 1 时生效，这会使每一步的时间翻倍。</translation>
    </message>
    <message>
        <source>Source picture</source>
        <translation>源图</translation>
    </message>
    <message>
        <source>Start from a picture: image to image, inpaint, outpaint or upscale. Drop one here, open or paste it, or choose “Use as source” on a gallery image (Ctrl+I).</source>
        <translation>从一张图片开始：图生图、局部重绘、扩图或放大。把图片拖到这里、打开或粘贴，或在图库图片上选择“用作源图”（Ctrl+I）。</translation>
    </message>
    <message>
        <source>More steps: more detail, more time. 20–30 is typical.</source>
        <translation>步数越多，细节越多，耗时也越长。一般用 20–30。</translation>
    </message>
    <message>
        <source>How closely the image follows the prompt (FLUX guidance). 3.5 is typical.</source>
        <translation>图片贴合提示词的程度（FLUX 引导强度）。一般用 3.5。</translation>
    </message>
    <message>
        <source>CFG scale: 1 turns it off. Above 1 the negative prompt acts, and every step takes twice as long.</source>
        <translation>CFG 系数：1 表示关闭。大于 1 时负向提示词生效，每一步耗时加倍。</translation>
    </message>
    <message>
        <source>random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>The same seed and parameters give the same image. Empty: a random seed.</source>
        <translation>相同的随机种子和参数会得到相同的图片。留空：使用随机种子。</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>A new random seed</source>
        <translation>换一个新的随机种子</translation>
    </message>
    <message>
        <source>Lock seed</source>
        <translation>锁定种子</translation>
    </message>
    <message>
        <source>Locked: every image uses this seed. Unlocked: a new seed after each Generate.</source>
        <translation>锁定：每张图都使用这个随机种子。未锁定：每次开始生成后换一个新种子。</translation>
    </message>
    <message>
        <source>How many images to make (seed, seed+1, …)</source>
        <translation>要生成几张图片（种子、种子+1、…）</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>开始生成</translation>
    </message>
    <message>
        <source>Add to the queue (Ctrl+Enter)</source>
        <translation>加入队列（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Guidance</source>
        <translation>引导强度</translation>
    </message>
    <message>
        <source>CFG scale</source>
        <translation>CFG 系数</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>Negative prompt</source>
        <translation>负向提示词</translation>
    </message>
    <message>
        <source>The source picture could not be stored in the library ({reason}). Free some disk space, then press Generate again.</source>
        <translation>源图无法保存到图库（{reason}）。请腾出一些磁盘空间，然后再次点击开始生成。</translation>
    </message>
    <message>
        <source>The edit sets the size: see under Source picture.</source>
        <translation>尺寸由编辑决定：请看“源图”下方。</translation>
    </message>
    <message>
        <source>Turn CFG on ({cfg})</source>
        <translation>开启 CFG（{cfg}）</translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message>
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <source>Move up (Alt+Up)</source>
        <translation>上移（Alt+↑）</translation>
    </message>
    <message>
        <source>Move down (Alt+Down)</source>
        <translation>下移（Alt+↓）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>Cancel every waiting job (not the running one)</source>
        <translation>取消所有等待中的任务（不包括正在运行的）</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Paused: the running job finishes, the next one waits</source>
        <translation>暂停：正在运行的任务会完成，下一个任务等待</translation>
    </message>
    <message>
        <source>Cancel the selected job, or the running one if none is selected (Esc)</source>
        <translation>取消选中的任务；未选中时取消正在运行的任务（Esc）</translation>
    </message>
    <message>
        <source>Clear finished</source>
        <translation>清除已结束</translation>
    </message>
    <message>
        <source>Take ended jobs off this list; their images stay in the gallery</source>
        <translation>从列表中移除已结束的任务；图片仍保留在图库中</translation>
    </message>
    <message>
        <source>{count}× {width}×{height} · {steps} steps</source>
        <translation>{count} 张 · {width}×{height} · {steps} 步</translation>
    </message>
    <message>
        <source>image {i} of {n}</source>
        <translation>第 {i} / {n} 张</translation>
    </message>
    <message>
        <source>reading the prompt</source>
        <translation>正在读取提示词</translation>
    </message>
    <message>
        <source>finishing the image</source>
        <translation>正在完成图片</translation>
    </message>
    <message>
        <source>compiling this size (once)</source>
        <translation>正在为此尺寸编译（仅一次）</translation>
    </message>
    <message>
        <source>loading compiled maths</source>
        <translation>正在载入已编译的运算</translation>
    </message>
    <message>
        <source>step {step}/{total}</source>
        <translation>第 {step}/{total} 步</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>Resume queue</source>
        <translation>继续队列</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>{count} waiting</source>
        <translation>{count} 个等待中</translation>
    </message>
    <message>
        <source>{what} · elapsed {elapsed} · ETA {eta}</source>
        <translation>{what} · 已用 {elapsed} · 剩余 {eta}</translation>
    </message>
    <message>
        <source>(queue {eta})</source>
        <translation>（队列 {eta}）</translation>
    </message>
</context>
<context>
    <name>RecordActions</name>
    <message>
        <source>Seed {seed} copied</source>
        <translation>已复制随机种子 {seed}</translation>
    </message>
    <message>
        <source>Prompt copied</source>
        <translation>已复制提示词</translation>
    </message>
    <message>
        <source>The file “{path}” is missing: it was moved or deleted outside the app.</source>
        <translation>文件“{path}”不见了：它在本应用之外被移动或删除。</translation>
    </message>
    <message>
        <source>Could not open the folder “{folder}”.</source>
        <translation>无法打开文件夹“{folder}”。</translation>
    </message>
    <message>
        <source>Export without metadata</source>
        <translation>导出（不含参数信息）</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <source>Could not export to “{path}” ({reason}). Choose another folder or free some space.</source>
        <translation>无法导出到“{path}”（{reason}）。请换一个文件夹，或腾出一些磁盘空间。</translation>
    </message>
    <message>
        <source>Exported without metadata to “{path}”</source>
        <translation>已导出到“{path}”（不含参数信息）</translation>
    </message>
</context>
<context>
    <name>RecordInfo</name>
    <message>
        <source>{seconds} s</source>
        <translation>{seconds} 秒</translation>
    </message>
    <message>
        <source>{minutes} min {seconds} s</source>
        <translation>{minutes} 分 {seconds} 秒</translation>
    </message>
    <message>
        <source>{gb} GB</source>
        <translation>{gb} GB</translation>
    </message>
    <message>
        <source>Seed {seed}</source>
        <translation>种子 {seed}</translation>
    </message>
    <message>
        <source>{steps} steps</source>
        <translation>{steps} 步</translation>
    </message>
    <message>
        <source>peak {vram}</source>
        <translation>峰值 {vram}</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>Negative prompt</source>
        <translation>负向提示词</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <source>Guidance</source>
        <translation>引导强度</translation>
    </message>
    <message>
        <source>CFG scale</source>
        <translation>CFG 系数</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Model hash</source>
        <translation>模型哈希</translation>
    </message>
    <message>
        <source>Memory plan</source>
        <translation>显存方案</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>用时</translation>
    </message>
    <message>
        <source>Peak VRAM</source>
        <translation>显存峰值</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>hash {hash}</source>
        <translation>哈希 {hash}</translation>
    </message>
    <message>
        <source>{layers} layers</source>
        <translation>{layers} 层</translation>
    </message>
    <message>
        <source>LoRAs</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>源图</translation>
    </message>
    <message>
        <source>{width}×{height} · hash {hash}</source>
        <translation>{width}×{height} · 哈希 {hash}</translation>
    </message>
    <message>
        <source>masked area at full resolution, padding {padding} px</source>
        <translation>蒙版区域按全分辨率重绘，边距 {padding} 像素</translation>
    </message>
    <message>
        <source>whole picture</source>
        <translation>整张图片</translation>
    </message>
    <message>
        <source>feather {feather} px</source>
        <translation>羽化 {feather} 像素</translation>
    </message>
    <message>
        <source>Mask</source>
        <translation>蒙版</translation>
    </message>
    <message>
        <source>Made from {image} ({how}).</source>
        <translation>由 {image} 生成（{how}）。</translation>
    </message>
    <message>
        <source>Made from #{id}, which is no longer in the library ({how}).</source>
        <translation>由 #{id} 生成，该图片已不在图库中（{how}）。</translation>
    </message>
    <message>
        <source>Made from a picture opened from a file ({how}).</source>
        <translation>由从文件打开的图片生成（{how}）。</translation>
    </message>
    <message>
        <source>Show its family</source>
        <translation>显示它的家族</translation>
    </message>
</context>
<context>
    <name>ReportTable</name>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Model file</source>
        <translation>模型文件</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>found</source>
        <translation>已找到</translation>
    </message>
    <message>
        <source>(tiny random weights)</source>
        <translation>（微型随机权重）</translation>
    </message>
    <message>
        <source>MajicFlux&apos;s choice</source>
        <translation>MajicFlux 的选择</translation>
    </message>
    <message>
        <source>{count} usable files were found for this; pick the one to use.</source>
        <translation>找到 {count} 个可用文件；请选择要使用的一个。</translation>
    </message>
    <message>
        <source>shipped with MajicFlux</source>
        <translation>MajicFlux 自带</translation>
    </message>
    <message>
        <source>demo only</source>
        <translation>仅供演示</translation>
    </message>
    <message>
        <source>(+{count} more)</source>
        <translation>（另有 {count} 个）</translation>
    </message>
    <message>
        <source>wrong</source>
        <translation>不正确</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>缺失</translation>
    </message>
    <message>
        <source>expected: {files} (from {repo})</source>
        <translation>应有：{files}（来自 {repo}）</translation>
    </message>
    <message>
        <source>Expected: {files} from {repo}</source>
        <translation>应有：{files}，来自 {repo}</translation>
    </message>
    <message>
        <source>… and {count} more</source>
        <translation>……还有 {count} 个</translation>
    </message>
    <message>
        <source>Wrong or unusable files, and how to fix them:</source>
        <translation>不正确或无法使用的文件，以及解决办法：</translation>
    </message>
    <message>
        <source>Not looked at:</source>
        <translation>未查看：</translation>
    </message>
    <message>
        <source>More than one usable file was found for {what}: MajicFlux chose the float8 and newest majicflus file; pick another in the list if you prefer.</source>
        <translation>{what} 找到了多个可用文件：MajicFlux 选择了 float8 且版本最新的 majicflus 文件；如需其他文件，请在列表中选择。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>auto (the fastest that fits)</source>
        <translation>自动（能放下的最快方案）</translation>
    </message>
    <message>
        <source>Automatic (what the card has free)</source>
        <translation>自动（显卡当前的空闲显存）</translation>
    </message>
    <message>
        <source>How much GPU memory the fp8 and fp8-stream plans may use for model weights.</source>
        <translation>fp8 和 fp8-stream 方案最多可用多少显存来存放模型权重。</translation>
    </message>
    <message>
        <source>auto (where the GPU supports it)</source>
        <translation>自动（显卡支持时使用）</translation>
    </message>
    <message>
        <source>off (always compute in bf16)</source>
        <translation>关闭（始终用 bf16 计算）</translation>
    </message>
    <message>
        <source>Float8 maths multiplies in float8 on GPUs that can (RTX 40xx, H100): faster, with a very small change in the images. Off computes in bf16.</source>
        <translation>Float8 运算：在支持的显卡上（RTX 40 系、H100）直接用 float8 做乘法，速度更快，图片只有极细微的差别。关闭则用 bf16 计算。</translation>
    </message>
    <message>
        <source>auto (NVIDIA GPUs where the compiler works)</source>
        <translation>自动（NVIDIA 显卡，编译器可用时）</translation>
    </message>
    <message>
        <source>off (never compile)</source>
        <translation>关闭（从不编译）</translation>
    </message>
    <message>
        <source>Compiled maths fuse the transformer&apos;s small steps into fewer GPU kernels: about 1.8 times as fast where the model stays on the GPU (measured on an H200), less where its blocks stream from RAM. The first image of each size compiles once on this PC (tens of seconds); later ones, after a restart too, reuse it. Images with LoRAs compile once more, and switching LoRAs then compiles nothing; LoKr, LoHa or DoRA layers inside the transformer&apos;s blocks make an image run uncompiled.</source>
        <translation>编译运算把扩散模型的许多小步骤合并为更少的显卡内核：模型常驻显卡时约快 1.8 倍（在 H200 上测得），模块需从内存流式传输时提升较少。每种尺寸的第一张图会在本机编译一次（数十秒），之后（包括重启后）直接复用。使用 LoRA 的图片会再编译一次，之后切换 LoRA 无需重新编译；扩散模型模块内若有 LoKr、LoHa 或 DoRA 层，该图片不经编译运行。</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>A new output folder is used after a restart.</source>
        <translation>新的输出文件夹在重新启动后生效。</translation>
    </message>
    <message>
        <source>Models folder</source>
        <translation>模型文件夹</translation>
    </message>
    <message>
        <source>Memory plan</source>
        <translation>显存方案</translation>
    </message>
    <message>
        <source>VRAM budget</source>
        <translation>显存预算</translation>
    </message>
    <message>
        <source>Float8 maths</source>
        <translation>Float8 运算</translation>
    </message>
    <message>
        <source>Compiled maths</source>
        <translation>编译运算</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <source>Guidance</source>
        <translation>引导强度</translation>
    </message>
    <message>
        <source>CFG scale</source>
        <translation>CFG 系数</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <source>Models and GPU memory</source>
        <translation>模型与显存</translation>
    </message>
    <message>
        <source>LoRA folders</source>
        <translation>LoRA 文件夹</translation>
    </message>
    <message>
        <source>Default parameters</source>
        <translation>默认参数</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Choose a folder</source>
        <translation>选择文件夹</translation>
    </message>
</context>
<context>
    <name>SetupWizard</name>
    <message>
        <source>Model setup</source>
        <translation>模型设置</translation>
    </message>
    <message>
        <source>MajicFlux needs about 22 GB of model files: the majicflus_v1 transformer and the text encoders, VAE and tokenizers of FLUX.1-dev. Download them, or use the files you already have.</source>
        <translation>MajicFlux 需要约 22 GB 的模型文件：majicflus_v1 主模型（transformer），以及 FLUX.1-dev 的文本编码器、VAE 和分词器。可以下载，也可以使用你已有的文件。</translation>
    </message>
    <message>
        <source>Download…</source>
        <translation>下载…</translation>
    </message>
    <message>
        <source>Use existing files…</source>
        <translation>使用已有文件…</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>From ModelScope (works from mainland China, no account needed) or Hugging Face. Shows the size and the free space first; pauses, resumes, continues after a restart, and checks every file.</source>
        <translation>从魔搭 ModelScope（在中国大陆可直接访问，无需账号）或 Hugging Face 下载。先显示大小和剩余磁盘空间；可暂停、继续，重启后接着下载，并校验每个文件。</translation>
    </message>
    <message>
        <source>Use existing files</source>
        <translation>使用已有文件</translation>
    </message>
    <message>
        <source>Already have FLUX files for ComfyUI, Forge, or in a ModelScope or Hugging Face cache? Choose the folder: files are recognised by their contents and used where they are, nothing is copied.</source>
        <translation>已经有 ComfyUI、Forge 用的 FLUX 文件，或在 ModelScope / Hugging Face 缓存里？选择那个文件夹：按文件内容识别，在原位置使用，不会复制任何文件。</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation>重新检查</translation>
    </message>
    <message>
        <source>Try the demo (tiny model, random weights)</source>
        <translation>试用演示（微型模型，随机权重）</translation>
    </message>
    <message>
        <source>Tries the interface with a tiny model of random weights: it makes noise, not pictures, but everything else works.</source>
        <translation>用一个随机权重的微型模型试用界面：它生成的是噪点而不是图画，但其他功能都能正常使用。</translation>
    </message>
    <message>
        <source>Back to the workspace</source>
        <translation>返回工作区</translation>
    </message>
    <message>
        <source>Models folder: {folder}</source>
        <translation>模型文件夹：{folder}</translation>
    </message>
    <message>
        <source>{count} chosen files used where they are</source>
        <translation>{count} 个选定文件在原位置使用</translation>
    </message>
    <message>
        <source>All model files are there.</source>
        <translation>模型文件齐全。</translation>
    </message>
    <message>
        <source>{count} of the model files are missing or wrong.</source>
        <translation>有 {count} 个模型文件缺失或不正确。</translation>
    </message>
    <message>
        <source>An earlier download stopped with {size} already downloaded: Download continues from there.</source>
        <translation>上次的下载在已下载 {size} 时中断：点击“下载”即从那里继续。</translation>
    </message>
</context>
<context>
    <name>SizePicker</name>
    <message>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <source>Aspect ratio (width : height)</source>
        <translation>画幅比例（宽 : 高）</translation>
    </message>
    <message>
        <source>Long side in pixels. 1024 is what the model knows best; larger is slower.</source>
        <translation>长边像素数。模型最擅长 1024；更大的尺寸更慢。</translation>
    </message>
    <message>
        <source>Width in pixels (a multiple of 16)</source>
        <translation>宽度像素（16 的倍数）</translation>
    </message>
    <message>
        <source>Height in pixels (a multiple of 16)</source>
        <translation>高度像素（16 的倍数）</translation>
    </message>
</context>
<context>
    <name>SourceBox</name>
    <message>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <source>Choose a picture file to edit</source>
        <translation>选择要编辑的图片文件</translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>粘贴</translation>
    </message>
    <message>
        <source>Edit the picture on the clipboard</source>
        <translation>编辑剪贴板中的图片</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Remove the source picture: generate from text only</source>
        <translation>移除源图：只根据文字生成</translation>
    </message>
    <message>
        <source>Drop a picture here</source>
        <translation>把图片拖到这里</translation>
    </message>
    <message>
        <source>No source picture</source>
        <translation>没有源图</translation>
    </message>
    <message>
        <source>Open one, paste one, or use a gallery picture as the source.</source>
        <translation>打开或粘贴一张图片，或把图库中的图片用作源图。</translation>
    </message>
    <message>
        <source>Reading the picture…</source>
        <translation>正在读取图片…</translation>
    </message>
    <message>
        <source>{width} × {height} pixels</source>
        <translation>{width} × {height} 像素</translation>
    </message>
</context>
<context>
    <name>StatusLine</name>
    <message>
        <source>DEMO · random weights</source>
        <translation>演示 · 随机权重</translation>
    </message>
    <message>
        <source>A tiny model with random weights: it makes noise, not pictures.</source>
        <translation>一个随机权重的微型模型：它生成的是噪点，而不是图画。</translation>
    </message>
</context>
<context>
    <name>ThumbnailDelegate</name>
    <message>
        <source>File missing</source>
        <translation>文件缺失</translation>
    </message>
    <message>
        <source>Cannot read this file</source>
        <translation>无法读取此文件</translation>
    </message>
</context>
<context>
    <name>ViewerWindow</name>
    <message>
        <source>MajicFlux — Viewer</source>
        <translation>MajicFlux — 看图</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <source>Fit to window (F)</source>
        <translation>适应窗口（F）</translation>
    </message>
    <message>
        <source>Actual size (1)</source>
        <translation>实际大小（1）</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Show the parameters (I)</source>
        <translation>显示参数（I）</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Close the viewer (Esc)</source>
        <translation>关闭看图窗口（Esc）</translation>
    </message>
    <message>
        <source>← → previous / next · wheel: zoom · drag: pan · F: fit · 1: actual size · I: parameters · Esc: close</source>
        <translation>← → 上一张 / 下一张 · 滚轮：缩放 · 拖动：平移 · F：适应窗口 · 1：实际大小 · I：参数 · Esc：关闭</translation>
    </message>
    <message>
        <source>The file is missing: it was moved or deleted outside the app.
{path}</source>
        <translation>文件不见了：它在本应用之外被移动或删除。
{path}</translation>
    </message>
    <message>
        <source>This file cannot be read as an image.</source>
        <translation>无法作为图片读取此文件。</translation>
    </message>
</context>
<context>
    <name>VramGauge</name>
    <message>
        <source>No NVIDIA GPU · RAM {used} / {total} GB</source>
        <translation>无 NVIDIA 显卡 · 内存 {used} / {total} GB</translation>
    </message>
    <message>
        <source>VRAM {used} / {total} GB</source>
        <translation>显存 {used} / {total} GB</translation>
    </message>
    <message>
        <source>GPU</source>
        <translation>显卡</translation>
    </message>
    <message>
        <source>Used / total</source>
        <translation>已用 / 总量</translation>
    </message>
    <message>
        <source>This app</source>
        <translation>本应用</translation>
    </message>
    <message>
        <source>Job peak</source>
        <translation>任务峰值</translation>
    </message>
    <message>
        <source>Plan budget</source>
        <translation>方案预算</translation>
    </message>
    <message>
        <source>no NVIDIA driver</source>
        <translation>没有 NVIDIA 驱动</translation>
    </message>
    <message>
        <source>No NVIDIA GPU found ({detail})</source>
        <translation>未找到 NVIDIA 显卡（{detail}）</translation>
    </message>
    <message>
        <source>Running on</source>
        <translation>运行于</translation>
    </message>
    <message>
        <source>the CPU (very slow; the demo works)</source>
        <translation>CPU（非常慢；演示可以运行）</translation>
    </message>
    <message>
        <source>RAM</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>Memory plan</source>
        <translation>显存方案</translation>
    </message>
    <message>
        <source>not loaded yet</source>
        <translation>尚未加载</translation>
    </message>
    <message>
        <source>RAM for the plan</source>
        <translation>方案所需内存</translation>
    </message>
    <message>
        <source>about {need} GB at its peak</source>
        <translation>峰值约 {need} GB</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Compiled maths</source>
        <translation>编译运算</translation>
    </message>
</context>
<context>
    <name>WorkerPresenter</name>
    <message>
        <source>You can write a prompt and queue it meanwhile.</source>
        <translation>在此期间，你可以先写提示词并加入队列。</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Checking the model files…</source>
        <translation>正在检查模型文件…</translation>
    </message>
    <message>
        <source>Model files missing</source>
        <translation>缺少模型文件</translation>
    </message>
    <message>
        <source>Loading models…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation>正在生成…</translation>
    </message>
    <message>
        <source>Models not loaded</source>
        <translation>模型未加载</translation>
    </message>
    <message>
        <source>on: each new image size compiles once on this PC</source>
        <translation>开：每种新的图片尺寸在本机编译一次</translation>
    </message>
    <message>
        <source>off: {why}</source>
        <translation>关：{why}</translation>
    </message>
    <message>
        <source>Models loaded in {seconds:.1f} s (plan {plan}, {device}).</source>
        <translation>模型已加载，用时 {seconds:.1f} 秒（方案 {plan}，{device}）。</translation>
    </message>
    <message>
        <source>Done: seed {seed} · {seconds}</source>
        <translation>完成：随机种子 {seed} · {seconds}</translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation>打开日志文件夹</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>Finishing: the image is already made and will be saved.</source>
        <translation>即将完成：图片已生成，将被保存。</translation>
    </message>
    <message>
        <source>Cancelling after this step…</source>
        <translation>将在这一步之后取消…</translation>
    </message>
</context>
<context>
    <name>about</name>
    <message>
        <source>About MajicFlux</source>
        <translation>关于 MajicFlux</translation>
    </message>
    <message>
        <source>&lt;h3&gt;MajicFlux Desktop {version}&lt;/h3&gt;&lt;p&gt;麦橘超然 (majicflus_v1, a FLUX.1-dev fine-tune) on your own GPU, offline. The 12-billion-parameter transformer is stored in float8, so it fits 8–12 GB cards.&lt;/p&gt;&lt;p&gt;Runs on DiffSynth-Studio and PyTorch. Every image keeps its parameters and seed inside the PNG.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;MajicFlux 桌面版 {version}&lt;/h3&gt;&lt;p&gt;在你自己的显卡上离线运行麦橘超然（majicflus_v1，FLUX.1-dev 微调模型）。120 亿参数的 transformer 以 float8 存储，8–12 GB 显存的显卡也能运行。&lt;/p&gt;&lt;p&gt;基于 DiffSynth-Studio 与 PyTorch。每张图片都在 PNG 文件中保存了它的参数和随机种子。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>MajicFlux could not start ({error}). The details are in the log: {log}</source>
        <translation>MajicFlux 无法启动（{error}）。详细信息见日志：{log}</translation>
    </message>
</context>
<context>
    <name>catalog</name>
    <message>
        <source>{file} is a folder, not a model file. Choose the .safetensors file inside it.</source>
        <translation>{file} 是一个文件夹，不是模型文件。请选择其中的 .safetensors 文件。</translation>
    </message>
    <message>
        <source>{file} is not a .safetensors file. MajicFlux loads only .safetensors, because other model formats (.ckpt, .bin, .pt, .pth) can run code when opened. Download the .safetensors version of this model.</source>
        <translation>{file} 不是 .safetensors 文件。MajicFlux 只加载 .safetensors，因为其他模型格式（.ckpt、.bin、.pt、.pth）在打开时可能执行代码。请下载该模型的 .safetensors 版本。</translation>
    </message>
    <message>
        <source>{file} is empty or cut off. Download it again.</source>
        <translation>{file} 是空的或不完整。请重新下载。</translation>
    </message>
    <message>
        <source>{file} is not a valid safetensors file (its header claims {claimed} bytes). It may be another format renamed to .safetensors, or damaged. Download it again.</source>
        <translation>{file} 不是有效的 safetensors 文件（文件头声称有 {claimed} 字节）。它可能是被改名为 .safetensors 的其他格式，或者已损坏。请重新下载。</translation>
    </message>
    <message>
        <source>{file} does not exist.</source>
        <translation>{file} 不存在。</translation>
    </message>
    <message>
        <source>{file} cannot be read (permission denied). Check the file&apos;s permissions.</source>
        <translation>无法读取 {file}（没有权限）。请检查该文件的权限。</translation>
    </message>
    <message>
        <source>{file} is not a valid safetensors file (unreadable header). It may be another format renamed to .safetensors, or damaged. Download it again.</source>
        <translation>{file} 不是有效的 safetensors 文件（文件头无法读取）。它可能是被改名为 .safetensors 的其他格式，或者已损坏。请重新下载。</translation>
    </message>
    <message>
        <source>{file} is incomplete: {missing} short of {need}. The download was interrupted or the file was cut off while copying; download it again.</source>
        <translation>{file} 不完整：比 {need} 少了 {missing}。下载被中断，或复制时文件被截断；请重新下载。</translation>
    </message>
    <message>
        <source>LoRA</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <source>SDXL checkpoint</source>
        <translation>SDXL 模型（checkpoint）</translation>
    </message>
    <message>
        <source>Stable Diffusion checkpoint</source>
        <translation>Stable Diffusion 模型（checkpoint）</translation>
    </message>
    <message>
        <source>FLUX all-in-one checkpoint (transformer, text encoders and VAE in one file)</source>
        <translation>FLUX 整合包模型（主模型、文本编码器和 VAE 在同一个文件中）</translation>
    </message>
    <message>
        <source>FLUX-type transformer with a different layout</source>
        <translation>结构不同的 FLUX 类主模型</translation>
    </message>
    <message>
        <source>T5 text encoder with a different layout</source>
        <translation>结构不同的 T5 文本编码器</translation>
    </message>
    <message>
        <source>CLIP text encoder with a different layout</source>
        <translation>结构不同的 CLIP 文本编码器</translation>
    </message>
    <message>
        <source>VAE with a different layout</source>
        <translation>结构不同的 VAE</translation>
    </message>
    <message>
        <source>{file} is a {found}, not the {expected}. Choose the right file.</source>
        <translation>{file} 是 {found}，不是 {expected}。请选择正确的文件。</translation>
    </message>
    <message>
        <source>{file} looks like a {family}, not the {expected}. MajicFlux needs the files listed in Model setup.</source>
        <translation>{file} 看起来是 {family}，不是 {expected}。MajicFlux 需要“模型设置”中列出的文件。</translation>
    </message>
    <message>
        <source>{file} is not a model file MajicFlux knows (layout {layout}). Expected the {expected}.</source>
        <translation>{file} 不是 MajicFlux 认识的模型文件（结构 {layout}）。需要的是 {expected}。</translation>
    </message>
    <message>
        <source>{file} has the name of the {expected} but not its content: it holds {count} tensor(s) in a layout MajicFlux does not know. It is damaged, or another model saved under this name. Download the {expected} again ({files} from {repo}).</source>
        <translation>{file} 的文件名是{expected}，内容却不是：它包含 {count} 个张量，结构是 MajicFlux 不认识的。文件已损坏，或是其他模型用了这个名字。请重新下载{expected}（{repo} 中的 {files}）。</translation>
    </message>
    <message>
        <source>Model files are missing or wrong in {folder}. Open Model setup, or run `majicflux models check` to see which.</source>
        <translation>{folder} 中的模型文件缺失或不正确。请打开“模型设置”，或运行 `majicflux models check` 查看是哪些文件。</translation>
    </message>
    <message>
        <source>Missing: {title} ({files} from {repo}).</source>
        <translation>缺少：{title}（来自 {repo} 的 {files}）。</translation>
    </message>
    <message>
        <source>{file} is a GGUF file (a quantized model for ComfyUI-GGUF or stable-diffusion.cpp). MajicFlux cannot use GGUF files; it needs the .safetensors files.</source>
        <translation>{file} 是 GGUF 文件（供 ComfyUI-GGUF 或 stable-diffusion.cpp 使用的量化模型）。MajicFlux 无法使用 GGUF 文件，需要 .safetensors 文件。</translation>
    </message>
    <message>
        <source>{file} is the {found} under the old .sft name. MajicFlux opens only files named .safetensors: rename it to {name} (the content is the same) and scan again.</source>
        <translation>{file} 是使用旧扩展名 .sft 的 {found}。MajicFlux 只打开名为 .safetensors 的文件：请把它改名为 {name}（内容不变），然后重新扫描。</translation>
    </message>
    <message>
        <source>The T5 text encoder is incomplete: found {count} part(s) in {folder}, but not all of them. Download the missing part.</source>
        <translation>T5 文本编码器不完整：在 {folder} 中找到 {count} 个分片，但并不齐全。请下载缺少的分片。</translation>
    </message>
    <message>
        <source>{file} is what MajicFlux would use; {chosen} was chosen instead.</source>
        <translation>MajicFlux 原本会使用 {file}；现在改用了 {chosen}。</translation>
    </message>
    <message>
        <source>The chosen parts of the T5 text encoder do not make the whole model ({files}). Choose the folder with all of them in Model setup.</source>
        <translation>所选的 T5 文本编码器分片拼不成完整模型（{files}）。请在“模型设置”中选择包含全部分片的文件夹。</translation>
    </message>
    <message>
        <source>The files chosen for the {title} are gone or not what they should be ({files}). Open Model setup and choose them again.</source>
        <translation>为 {title} 选定的文件已不存在或不正确（{files}）。请打开“模型设置”重新选择。</translation>
    </message>
    <message>
        <source>{file} holds tiny random weights (the demo model); {chosen} is the real model.</source>
        <translation>{file} 是随机权重的微型模型（演示用）；{chosen} 才是真实模型。</translation>
    </message>
    <message>
        <source>{file} is a {found}; {chosen} is the {expected} MajicFlux is made for, so it is used.</source>
        <translation>{file} 是 {found}；{chosen} 是 MajicFlux 所用的{expected}，因此使用它。</translation>
    </message>
    <message>
        <source>The name of {file} does not say which majicflus version it is; {chosen} is majicflus {chosen_version}, so it is used.</source>
        <translation>{file} 的文件名看不出是哪个 majicflus 版本；{chosen} 是 majicflus {chosen_version}，因此使用它。</translation>
    </message>
    <message>
        <source>{file} is majicflus {version}; {chosen} is the newer majicflus {chosen_version}.</source>
        <translation>{file} 是 majicflus {version}；{chosen} 是更新的 majicflus {chosen_version}。</translation>
    </message>
    <message>
        <source>{file} is stored in {dtype}; {chosen} holds the same model in float8, which MajicFlux prefers for the transformer: half the bytes to read and keep in memory, and the memory plans store the transformer in float8 anyway.</source>
        <translation>{file} 以 {dtype} 存储；{chosen} 是同一模型的 float8 版本，MajicFlux 优先为 Transformer 使用 float8：读取和占用的内存只有一半，而且显存方案本来就以 float8 存储 Transformer。</translation>
    </message>
    <message>
        <source>{file} is stored in float8; {chosen} keeps full precision, which MajicFlux prefers for the text encoder: it reads prompts more faithfully.</source>
        <translation>{file} 以 float8 存储；{chosen} 保持全精度，MajicFlux 优先为文本编码器使用全精度：理解提示词更准确。</translation>
    </message>
    <message>
        <source>{file} is the same kind of file as {chosen}; the one nearer the top of the folder is used.</source>
        <translation>{file} 与 {chosen} 是同一种文件；使用文件夹中层级较浅的那个。</translation>
    </message>
    <message>
        <source>{folder} holds {count} entries: the files directly in it were looked at, but not its subfolders. If model files are in one of them, choose that subfolder.</source>
        <translation>{folder} 中有 {count} 项：已查看其中的文件，但没有查看子文件夹。如果模型文件在某个子文件夹中，请直接选择那个子文件夹。</translation>
    </message>
    <message>
        <source>{count} folder(s) more than {depth} levels below {folder} were not looked at. If model files are that deep, choose a folder nearer to them.</source>
        <translation>{folder} 下超过 {depth} 层的 {count} 个文件夹没有查看。如果模型文件在那么深的位置，请选择离它们更近的文件夹。</translation>
    </message>
    <message>
        <source>{folder} holds more than {count} files and folders: the search stopped there, and files it did not reach are not listed. Choose the folder that holds the model files (a ComfyUI or Forge folder, say).</source>
        <translation>{folder} 中的文件和文件夹超过 {count} 个：搜索在此停止，未搜索到的文件不会列出。请选择存放模型文件的文件夹（例如 ComfyUI 或 Forge 的文件夹）。</translation>
    </message>
</context>
<context>
    <name>cli</name>
    <message>
        <source>{path} is not a folder: it is a file. Give the folder that holds the model files.</source>
        <translation>{path} 不是文件夹，而是一个文件。请指定存放模型文件的文件夹。</translation>
    </message>
    <message>
        <source>{path} is not a folder: it does not exist.</source>
        <translation>{path} 不是文件夹：它不存在。</translation>
    </message>
    <message>
        <source>Cannot read “{path}”: {reason}. Check the path.</source>
        <translation>无法读取“{path}”：{reason}。请检查路径。</translation>
    </message>
    <message>
        <source>--out must name a .png file, not {path}.</source>
        <translation>--out 必须是一个 .png 文件，而不是 {path}。</translation>
    </message>
    <message>
        <source>The LoRA file {path} does not exist.</source>
        <translation>LoRA 文件 {path} 不存在。</translation>
    </message>
    <message>
        <source>There is no LoRA folder at {path}. Put LoRA files there, or name a folder.</source>
        <translation>{path} 处没有 LoRA 文件夹。请把 LoRA 文件放在那里，或指定一个文件夹。</translation>
    </message>
    <message>
        <source>{path} is not a folder: it is a file. Name a LoRA folder.</source>
        <translation>{path} 不是文件夹，而是一个文件。请指定一个 LoRA 文件夹。</translation>
    </message>
    <message>
        <source>--only takes roles from {roles}.</source>
        <translation>--only 只接受以下项：{roles}。</translation>
    </message>
</context>
<context>
    <name>compiled</name>
    <message>
        <source>off in Settings</source>
        <translation>已在设置中关闭</translation>
    </message>
    <message>
        <source>they need an NVIDIA GPU</source>
        <translation>需要 NVIDIA 显卡</translation>
    </message>
    <message>
        <source>PyTorch&apos;s compiler is missing ({error})</source>
        <translation>PyTorch 缺少编译器（{error}）</translation>
    </message>
    <message>
        <source>Triton, the GPU compiler, is not installed</source>
        <translation>未安装显卡编译器 Triton</translation>
    </message>
    <message>
        <source>diffsynth moves this plan&apos;s layers itself</source>
        <translation>此方案由 diffsynth 自行搬运各层</translation>
    </message>
    <message>
        <source>the compiler did not start ({error})</source>
        <translation>编译器未能启动（{error}）</translation>
    </message>
    <message>
        <source>Python&apos;s C headers are missing ({folder}); reinstall MajicFlux</source>
        <translation>缺少 Python 的 C 头文件（{folder}）；请重新安装 MajicFlux</translation>
    </message>
    <message>
        <source>Python&apos;s C headers are missing ({folder}); install Python&apos;s development files (python3-dev)</source>
        <translation>缺少 Python 的 C 头文件（{folder}）；请安装 Python 开发文件（python3-dev）</translation>
    </message>
    <message>
        <source>no C compiler was found for the GPU compiler&apos;s launchers: install gcc, or name one in the CC environment variable</source>
        <translation>找不到为显卡编译器构建启动代码的 C 编译器：请安装 gcc，或在环境变量 CC 中指定一个</translation>
    </message>
    <message>
        <source>the GPU compiler&apos;s C compiler cannot read the folder {folder}: its name has characters outside this Windows&apos; code page. Turn on &quot;Use Unicode UTF-8 for worldwide language support&quot; in Windows&apos; region settings, or keep MajicFlux and its data in folders named in this Windows&apos; language</source>
        <translation>显卡编译器所用的 C 编译器无法读取文件夹 {folder}：其名称含有当前 Windows 代码页以外的字符。请在 Windows 的区域设置中开启“Beta 版：使用 Unicode UTF-8 提供全球语言支持”，或把 MajicFlux 及其数据放在以当前 Windows 语言命名的文件夹中</translation>
    </message>
</context>
<context>
    <name>download</name>
    <message>
        <source>Cannot read the free space of the drive for {folder} ({reason}). Check that the drive is connected, or choose a models folder on another drive.</source>
        <translation>无法读取 {folder} 所在磁盘的剩余空间（{reason}）。请检查该磁盘是否已连接，或选择其他磁盘上的模型文件夹。</translation>
    </message>
    <message>
        <source>Not enough free space: the download needs {need} more, and the drive holding {folder} has {free} free. Free up {short}, or choose a models folder on another drive.</source>
        <translation>磁盘空间不足：下载还需要 {need}，而 {folder} 所在的磁盘只剩 {free}。请腾出 {short}，或选择其他磁盘上的模型文件夹。</translation>
    </message>
    <message>
        <source>{path} is not in {repo} on {source} any more. The repository has changed; try another source or update MajicFlux.</source>
        <translation>{source} 上的 {repo} 中已经没有 {path}。该仓库已有变动；请尝试其他下载源，或更新 MajicFlux。</translation>
    </message>
    <message>
        <source>{repo} is not published on {source}; its files come from {fallback}.</source>
        <translation>{repo} 没有发布在 {source} 上；其文件将从 {fallback} 获取。</translation>
    </message>
    <message>
        <source>{file}: {reason}. Trying again in {delay:.0f} s ({tries} of {limit}).</source>
        <translation>{file}：{reason}。{delay:.0f} 秒后重试（第 {tries} / {limit} 次）。</translation>
    </message>
    <message>
        <source>{file} failed the layout check: {reason}</source>
        <translation>{file} 未通过结构检查：{reason}</translation>
    </message>
    <message>
        <source>The parts of the {title} do not fit together (files: {files}). Delete them and download again.</source>
        <translation>{title} 的各个分片无法对应（文件：{files}）。请删除它们并重新下载。</translation>
    </message>
    <message>
        <source>{file}: the server sent {got} bytes where {source} lists {want}. Its copy may be changing or damaged; try again later or choose another source.</source>
        <translation>{file}：服务器发送了 {got} 字节，而 {source} 列出的是 {want}。服务器上的副本可能正在更新或已损坏；请稍后重试，或选择其他下载源。</translation>
    </message>
    <message>
        <source>{file} failed its {kind} check: the downloaded bytes are not the published file (damaged on the way).</source>
        <translation>{file} 未通过 {kind} 校验：下载得到的内容与发布的文件不一致（传输中损坏）。</translation>
    </message>
    <message>
        <source>{file} is not the {expected}: its content is {found}.</source>
        <translation>{file} 不是 {expected}：它的内容是 {found}。</translation>
    </message>
    <message>
        <source>{reason} It failed again after a second download, so it was not used; the last copy was set aside as {corrupt}. Try another source, or try again later.</source>
        <translation>{reason} 第二次下载后仍然失败，因此没有使用；最后一份副本已另存为 {corrupt}。请尝试其他下载源，或稍后再试。</translation>
    </message>
    <message>
        <source>{source} is not a valid web address ({reason}). Type the mirror&apos;s address as https:// and its host name, for example https://hf-mirror.com.</source>
        <translation>{source} 不是有效的网址（{reason}）。请以 https:// 加主机名的形式输入镜像地址，例如 https://hf-mirror.com。</translation>
    </message>
    <message>
        <source>Unknown download source {source}. Use modelscope, huggingface, hf-mirror, or the address of a Hugging Face mirror starting with https://.</source>
        <translation>未知的下载源 {source}。请使用 modelscope、huggingface、hf-mirror，或以 https:// 开头的 Hugging Face 镜像地址。</translation>
    </message>
    <message>
        <source>{what} was not found on {source} (HTTP {status}). The repository may have moved or been renamed; try another source.</source>
        <translation>在 {source} 上找不到 {what}（HTTP {status}）。该仓库可能已迁移或改名；请尝试其他下载源。</translation>
    </message>
    <message>
        <source>{source} answered HTTP {status} ({reason}) for {url}.</source>
        <translation>{source} 对 {url} 返回了 HTTP {status}（{reason}）。</translation>
    </message>
    <message>
        <source>Nothing was found at {url} (HTTP {status}). Check the address; a download link copied from a web page may have expired, so copy it again.</source>
        <translation>{url} 处没有找到文件（HTTP {status}）。请检查地址；从网页复制的下载链接可能已过期，请重新复制。</translation>
    </message>
    <message>
        <source>{host} refused the download of {url} (HTTP {status}). The link may need you to be signed in on that site, or it has expired: open it in a web browser, copy a fresh download link and try again.</source>
        <translation>{host} 拒绝了 {url} 的下载（HTTP {status}）。该链接可能需要先在该网站登录，或已过期：请在浏览器中打开它，复制新的下载链接后重试。</translation>
    </message>
    <message>
        <source>ModelScope refused access to {repo} (HTTP {status}). Sign in at {page}, accept the model&apos;s terms if the page asks you to, then set the environment variable MODELSCOPE_API_TOKEN to a ModelScope access token (Account settings, Access Token) and start MajicFlux again.</source>
        <translation>魔搭 ModelScope 拒绝访问 {repo}（HTTP {status}）。请在 {page} 登录，如页面要求则同意模型条款，然后将环境变量 MODELSCOPE_API_TOKEN 设为魔搭访问令牌（账号设置 → 访问令牌），再重新启动 MajicFlux。</translation>
    </message>
    <message>
        <source>{repo} on Hugging Face is a gated repository: its authors ask everyone to accept their licence (for FLUX.1-dev, the FLUX.1 [dev] Non-Commercial License) before downloading. To download it from Hugging Face: sign in at {page}, accept the licence on that page, create an access token with read access (Settings, Access Tokens) and paste it into the token field. Or download from ModelScope, which needs neither.</source>
        <translation>Hugging Face 上的 {repo} 是受限仓库：作者要求下载前先同意其许可协议（FLUX.1-dev 为 FLUX.1 [dev] 非商业许可）。如需从 Hugging Face 下载：在 {page} 登录并同意该页面上的许可，创建一个有读取权限的访问令牌（Settings → Access Tokens），再粘贴到令牌栏中。也可以从魔搭 ModelScope 下载，两者都不需要。</translation>
    </message>
    <message>
        <source>Hugging Face refused your token for {repo} (HTTP {status}). Open {page} with the account that made the token and accept the licence there, and check that the token has read access. Or download from ModelScope, which needs no token.</source>
        <translation>Hugging Face 拒绝了你用于 {repo} 的令牌（HTTP {status}）。请用创建该令牌的账号打开 {page} 并同意许可，同时确认令牌有读取权限。也可以从魔搭 ModelScope 下载，无需令牌。</translation>
    </message>
    <message>
        <source>The hub refused the file list: {reason}</source>
        <translation>模型仓库拒绝提供文件列表：{reason}</translation>
    </message>
    <message>
        <source>Download cancelled. Finished files are kept; the file in progress stays as a .part file and continues from there next time.</source>
        <translation>下载已取消。已完成的文件会保留；正在下载的文件保存为 .part 文件，下次从断点继续。</translation>
    </message>
    <message>
        <source>Cannot reach {host} ({reason}) after {tries} tries. Check the internet connection and proxy settings. Hugging Face is usually unreachable from mainland China: download from ModelScope (the default) or hf-mirror instead. Partly downloaded files are kept and continue next time.</source>
        <translation>尝试 {tries} 次后仍无法连接 {host}（{reason}）。请检查网络连接和代理设置。中国大陆通常无法访问 Hugging Face：请改用魔搭 ModelScope（默认）或 hf-mirror 下载。已下载的部分会保留，下次继续。</translation>
    </message>
    <message>
        <source>Cannot reach {host} ({reason}) after {tries} tries. Check the internet connection and proxy settings, then start the download again: partly downloaded files are kept and continue from where they stopped.</source>
        <translation>尝试 {tries} 次后仍无法连接 {host}（{reason}）。请检查网络连接和代理设置，然后重新开始下载：已下载的部分会保留，并从中断处继续。</translation>
    </message>
    <message>
        <source>The disk is full: {file} stopped {missing} short of {total}. What was downloaded is kept as {part}. Free up space (or choose a models folder on another drive) and start the download again to continue.</source>
        <translation>磁盘已满：{file} 在距离 {total} 还差 {missing} 时停止。已下载的部分保存为 {part}。请释放空间（或选择另一个磁盘上的模型文件夹），然后重新开始下载以继续。</translation>
    </message>
    <message>
        <source>Cannot write {part}: {reason}. Check that the models folder is writable and not open in another program.</source>
        <translation>无法写入 {part}：{reason}。请检查模型文件夹是否可写，并且没有被其他程序占用。</translation>
    </message>
</context>
<context>
    <name>drop</name>
    <message>
        <source>“{name}” is not a file. Drop a PNG image.</source>
        <translation>“{name}”不是文件。请拖入一张 PNG 图片。</translation>
    </message>
    <message>
        <source>“{name}” is not an image. Drop a PNG made by MajicFlux, A1111/Forge or ComfyUI to reuse its parameters.</source>
        <translation>“{name}”不是图片。拖入由 MajicFlux、A1111/Forge 或 ComfyUI 生成的 PNG，即可复用它的参数。</translation>
    </message>
    <message>
        <source>“{name}” carries no generation parameters; only PNGs made by MajicFlux, A1111/Forge, ComfyUI, InvokeAI or Fooocus do.</source>
        <translation>“{name}”不含生成参数；只有 MajicFlux、A1111/Forge、ComfyUI、InvokeAI 或 Fooocus 生成的 PNG 才有。</translation>
    </message>
    <message>
        <source>Parameters read from “{name}” ({source}).</source>
        <translation>已从“{name}”读取参数（{source}）。</translation>
    </message>
    <message>
        <source>Notes:</source>
        <translation>注意：</translation>
    </message>
    <message>
        <source>Parameters pasted ({source}).</source>
        <translation>已粘贴参数（{source}）。</translation>
    </message>
    <message>
        <source>LoRA “{name}” cannot be used ({reason}); the other parameters were loaded.</source>
        <translation>LoRA“{name}”无法使用（{reason}）；其他参数已载入。</translation>
    </message>
    <message>
        <source>LoRA “{name}” (hash {hash}) is not in your LoRA folders; the other parameters were loaded. To use it, put its file in {folders} and drop or paste the image again.</source>
        <translation>LoRA“{name}”（哈希 {hash}）不在你的 LoRA 文件夹中；其他参数已载入。如需使用它，请把文件放到 {folders}，然后再次拖入或粘贴这张图片。</translation>
    </message>
    <message>
        <source>LoRA “{name}” is not in your LoRA folders; the other parameters were loaded. To use it, put its file in {folders} and drop or paste the image again.</source>
        <translation>LoRA“{name}”不在你的 LoRA 文件夹中；其他参数已载入。如需使用它，请把文件放到 {folders}，然后再次拖入或粘贴这张图片。</translation>
    </message>
</context>
<context>
    <name>edit</name>
    <message>
        <source>Repainted the {box_width}×{box_height} pixels around the mask at {work_width}×{work_height}.</source>
        <translation>以 {work_width}×{work_height} 重绘了蒙版周围 {box_width}×{box_height} 像素的区域。</translation>
    </message>
    <message>
        <source>Upscaled ×{used:.2f} instead of ×{asked}: upscaling stops at {limit} pixels on the long side.</source>
        <translation>实际放大 ×{used:.2f}，而不是 ×{asked}：放大后长边最多 {limit} 像素。</translation>
    </message>
    <message>
        <source>The mask was {mask_width}×{mask_height} pixels and the picture {width}×{height}; the mask was scaled to the picture.</source>
        <translation>蒙版为 {mask_width}×{mask_height} 像素，图片为 {width}×{height}；已将蒙版缩放到图片大小。</translation>
    </message>
    <message>
        <source>The mask is empty: nothing would be repainted. Paint over the part of the picture to repaint (white repaints) and try again.</source>
        <translation>蒙版是空的：没有需要重绘的部分。请涂抹要重绘的区域（白色表示重绘）后再试。</translation>
    </message>
</context>
<context>
    <name>edit_sizes</name>
    <message>
        <source>Repaints the {area} pixels around the mask at {work} · result {result}</source>
        <translation>以 {work} 重绘蒙版周围的 {area} 像素 · 结果 {result}</translation>
    </message>
    <message>
        <source>Repaints the area around the mask at its own resolution · result {result}</source>
        <translation>以原有分辨率重绘蒙版周围的区域 · 结果 {result}</translation>
    </message>
    <message>
        <source>Works at {work} · result {result}</source>
        <translation>生成尺寸 {work} · 结果 {result}</translation>
    </message>
    <message>
        <source>(the size chosen above)</source>
        <translation>（上面选择的尺寸）</translation>
    </message>
    <message>
        <source>(×{factor:.2f}: upscaling stops at 2048 pixels on the long side)</source>
        <translation>（×{factor:.2f}：放大到长边 2048 像素为止）</translation>
    </message>
</context>
<context>
    <name>edit_text</name>
    <message>
        <source>Image to image</source>
        <translation>图生图</translation>
    </message>
    <message>
        <source>Inpaint</source>
        <translation>局部重绘</translation>
    </message>
    <message>
        <source>Outpaint</source>
        <translation>扩图</translation>
    </message>
    <message>
        <source>Upscale</source>
        <translation>放大</translation>
    </message>
    <message>
        <source>+{left} ←, +{top} ↑, +{right} →, +{bottom} ↓ px</source>
        <translation>+{left} ←，+{top} ↑，+{right} →，+{bottom} ↓ 像素</translation>
    </message>
    <message>
        <source>strength {value}</source>
        <translation>重绘强度 {value}</translation>
    </message>
</context>
<context>
    <name>engine</name>
    <message>
        <source>Out of GPU memory with the {old} plan; switched to {new}, which uses less memory and is slower.</source>
        <translation>显存不足：{old} 方案放不下，已切换到 {new}，占用显存更少，但速度更慢。</translation>
    </message>
    <message>
        <source>Out of GPU memory: the models do not fit this card even with the {plan} plan ({total:.1f} GB, {free:.1f} GB free). Close other apps that use the GPU, or lower the VRAM budget in Settings.</source>
        <translation>显存不足：即使使用 {plan} 方案，模型也放不进这张显卡（共 {total:.1f} GB，空闲 {free:.1f} GB）。请关闭其他占用显卡的程序，或在设置中降低显存预算。</translation>
    </message>
    <message>
        <source>Out of GPU memory: the {plan} plan does not fit {width}×{height} on this card ({total:.1f} GB, {free:.1f} GB free). Choose a smaller size, close other apps that use the GPU, or pick the fp8-stream plan in Settings.</source>
        <translation>显存不足：这张显卡（{total:.1f} GB，空闲 {free:.1f} GB）用 {plan} 方案放不下 {width}×{height}。请选择更小的尺寸、关闭其他占用显卡的程序，或在“设置”中选择 fp8-stream 方案。</translation>
    </message>
    <message>
        <source>Out of GPU memory: {width}×{height} does not fit this card ({total:.1f} GB, {free:.1f} GB free) even with the {plan} plan, the one that needs least. Choose a smaller size or close other apps that use the GPU.</source>
        <translation>显存不足：即使用最省显存的 {plan} 方案，这张显卡（{total:.1f} GB，空闲 {free:.1f} GB）也放不下 {width}×{height}。请选择更小的尺寸，或关闭其他占用显卡的程序。</translation>
    </message>
    <message>
        <source>Faster compiled maths do not work on this PC ({reason}); images are made the usual way. Turn compiled maths off in Settings to skip the attempt.</source>
        <translation>加速的编译运算在本机无法使用（{reason}），图片按常规方式生成。可在设置中关闭编译运算，不再尝试。</translation>
    </message>
    <message>
        <source>{width}×{height} was made in {count} overlapping tiles of {tile}×{tile} pixels to stay within the {budget:.1f} GB memory budget, which takes longer.</source>
        <translation>为了不超出 {budget:.1f} GB 的显存预算，{width}×{height} 分成 {count} 个相互重叠的 {tile}×{tile} 像素分块生成，耗时更长。</translation>
    </message>
    <message>
        <source>Could not write {path} ({reason}). Free some space on that disk and restart MajicFlux.</source>
        <translation>无法写入 {path}（{reason}）。请在该磁盘上腾出一些空间，然后重启 MajicFlux。</translation>
    </message>
    <message>
        <source>Could not read {path} ({reason}). Restart MajicFlux: it writes the file again.</source>
        <translation>无法读取 {path}（{reason}）。请重启 MajicFlux，它会重新写入这个文件。</translation>
    </message>
</context>
<context>
    <name>failures</name>
    <message>
        <source>Details are in the log file (Help ▸ Open log folder).</source>
        <translation>详细信息见日志文件（帮助 ▸ 打开日志文件夹）。</translation>
    </message>
    <message>
        <source>Out of GPU memory, even with the leanest memory plan. Choose a smaller size, close other programs that use the GPU, or lower the VRAM budget in Settings.</source>
        <translation>显存不足，即使用最省显存的方案也不够。请选择更小的尺寸、关闭其他占用显卡的程序，或在“设置”中降低显存预算。</translation>
    </message>
    <message>
        <source>Out of GPU memory while loading the models. Choose the fp8-stream memory plan in Settings, or close other programs that use the GPU.</source>
        <translation>加载模型时显存不足。请在“设置”中选择 fp8-stream 显存方案，或关闭其他占用显卡的程序。</translation>
    </message>
    <message>
        <source>The disk is full. Free some space, or choose a models folder on another drive.</source>
        <translation>磁盘已满。请释放一些空间，或选择其他磁盘上的模型文件夹。</translation>
    </message>
    <message>
        <source>MajicFlux may not open “{path}”. Check its permissions, or choose another folder.</source>
        <translation>MajicFlux 无权打开“{path}”。请检查其权限，或选择其他文件夹。</translation>
    </message>
    <message>
        <source>The image could not be made: something unexpected went wrong.</source>
        <translation>无法生成图片：发生了意外错误。</translation>
    </message>
    <message>
        <source>The models could not be loaded: something unexpected went wrong. Check the files with Models ▸ Check model files.</source>
        <translation>无法加载模型：发生了意外错误。请用“模型 ▸ 检查模型文件”检查文件。</translation>
    </message>
    <message>
        <source>The folder could not be scanned: something unexpected went wrong.</source>
        <translation>无法扫描该文件夹：发生了意外错误。</translation>
    </message>
    <message>
        <source>The model files could not be checked: something unexpected went wrong.</source>
        <translation>无法检查模型文件：发生了意外错误。</translation>
    </message>
    <message>
        <source>The download could not be prepared: asking the source for the file list or reading the free space of the drive failed.</source>
        <translation>无法准备下载：向下载源获取文件列表或读取磁盘剩余空间失败。</translation>
    </message>
    <message>
        <source>The download stopped. Finished files are kept; start it again to continue.</source>
        <translation>下载已停止。已完成的文件会保留；重新开始即可继续。</translation>
    </message>
    <message>
        <source>The computer ran out of memory (RAM). Close other programs, choose a smaller size, or choose the fp8-stream memory plan in Settings.</source>
        <translation>电脑内存（RAM）不足。请关闭其他程序、选择更小的尺寸，或在“设置”中选择 fp8-stream 显存方案。</translation>
    </message>
    <message>
        <source>The disk is full. Free some space, or choose another output folder.</source>
        <translation>磁盘已满。请腾出一些空间，或选择其他输出文件夹。</translation>
    </message>
    <message>
        <source>MajicFlux may not write to “{path}”. Choose another output folder in Settings.</source>
        <translation>MajicFlux 没有权限写入“{path}”。请在“设置”中选择其他输出文件夹。</translation>
    </message>
</context>
<context>
    <name>files</name>
    <message>
        <source>The disk holding {folder} is full: {file} could not be written. Free up space, or choose a folder on another drive.</source>
        <translation>{folder} 所在的磁盘已满：无法写入 {file}。请释放空间，或选择另一个磁盘上的文件夹。</translation>
    </message>
    <message>
        <source>{folder} is on a read-only drive: {file} cannot be written there. Choose another folder.</source>
        <translation>{folder} 位于只读磁盘上：无法在那里写入 {file}。请选择其他文件夹。</translation>
    </message>
    <message>
        <source>A part of {folder} is a file, not a folder, so {file} cannot be written there. Choose another place.</source>
        <translation>{folder} 路径中的某一部分是文件而不是文件夹，因此无法写入 {file}。请选择其他位置。</translation>
    </message>
    <message>
        <source>{folder} cannot be written to (permission denied). Choose another folder, or make this one writable.</source>
        <translation>无法写入 {folder}（权限不足）。请选择其他文件夹，或将此文件夹设为可写。</translation>
    </message>
    <message>
        <source>{file} could not be written ({reason}). Check that its folder exists and is writable, or choose another place.</source>
        <translation>无法写入 {file}（{reason}）。请检查所在文件夹是否存在且可写，或选择其他位置。</translation>
    </message>
    <message>
        <source>The file name “{name}” is too long for this drive: it has {length} characters, MajicFlux adds {extra} while writing, and the drive takes at most {limit}. Shorten it by {over} characters or more.</source>
        <translation>文件名“{name}”对这个磁盘来说太长：它有 {length} 个字符，MajicFlux 写入时还要加 {extra} 个，而该磁盘最多允许 {limit} 个。请至少缩短 {over} 个字符。</translation>
    </message>
    <message>
        <source>The file name “{name}” is too long for this drive: it has {length} bytes, MajicFlux adds {extra} while writing, and the drive takes at most {limit}. Shorten it by {over} bytes or more (a Chinese character takes 3).</source>
        <translation>文件名“{name}”对这个磁盘来说太长：它有 {length} 字节，MajicFlux 写入时还要加 {extra} 字节，而该磁盘最多允许 {limit} 字节。请至少缩短 {over} 字节（一个汉字占 3 字节）。</translation>
    </message>
    <message>
        <source>{file} is a folder. Name a file inside it, for example {example}.</source>
        <translation>{file} 是一个文件夹。请指定其中的一个文件，例如 {example}。</translation>
    </message>
    <message>
        <source>{blocker} is a file, not a folder, so {file} cannot be written there. Choose another place.</source>
        <translation>{blocker} 是文件而不是文件夹，因此无法写入 {file}。请选择其他位置。</translation>
    </message>
</context>
<context>
    <name>instance</name>
    <message>
        <source>MajicFlux is already running with the data folder “{folder}”. Switch to that window, or close it and start MajicFlux again.</source>
        <translation>MajicFlux 已在使用数据文件夹“{folder}”运行。请切换到那个窗口，或关闭它后重新启动 MajicFlux。</translation>
    </message>
</context>
<context>
    <name>library</name>
    <message>
        <source>The disk is full: the image could not be saved in “{folder}”. Free some space or choose another output folder in Settings.</source>
        <translation>磁盘已满：图片无法保存到“{folder}”。请腾出一些空间，或在“设置”中选择其他输出文件夹。</translation>
    </message>
    <message>
        <source>The image could not be saved in “{folder}” ({reason}). Check that the folder exists and is writable, or choose another output folder in Settings.</source>
        <translation>图片无法保存到“{folder}”（{reason}）。请检查该文件夹是否存在且可写，或在“设置”中选择其他输出文件夹。</translation>
    </message>
    <message>
        <source>The image library was damaged and has been rebuilt: {count} images were recovered from the files in “{folder}”. The queue, favourites and trash could not be recovered. The damaged file was kept as “{backup}”.</source>
        <translation>图库数据已损坏并已重建：从“{folder}”中的文件恢复了 {count} 张图片。队列、收藏和回收站无法恢复。损坏的文件已保留为“{backup}”。</translation>
    </message>
    <message>
        <source>The image library “{path}” was made by a newer version of MajicFlux. Update MajicFlux to open it.</source>
        <translation>图库“{path}”由更新版本的 MajicFlux 创建。请更新 MajicFlux 后再打开。</translation>
    </message>
    <message>
        <source>The image library “{path}” is in use by another program, probably another MajicFlux window. Close it, then start MajicFlux again.</source>
        <translation>图库“{path}”正被其他程序使用，可能是另一个 MajicFlux 窗口。请先关闭它，再重新启动 MajicFlux。</translation>
    </message>
    <message>
        <source>The image library “{path}” is a folder, not a file. Rename or move that folder (MajicFlux then starts a new library there), or start MajicFlux with --data-dir and another folder.</source>
        <translation>图库文件“{path}”是一个文件夹，而不是文件。请重命名或移走该文件夹（MajicFlux 随后会在那里新建图库），或用 --data-dir 指定另一个文件夹启动 MajicFlux。</translation>
    </message>
    <message>
        <source>The image library “{path}” cannot be opened ({reason}). Check that its folder exists and is writable, and that the disk is not full.</source>
        <translation>无法打开图库“{path}”（{reason}）。请检查其所在文件夹是否存在且可写，以及磁盘是否已满。</translation>
    </message>
</context>
<context>
    <name>loras</name>
    <message>
        <source>The request uses LoRAs ({names}), but no LoRA folder is set. Choose the LoRA folders in Settings.</source>
        <translation>此任务使用了 LoRA（{names}），但尚未设置 LoRA 文件夹。请在设置中选择 LoRA 文件夹。</translation>
    </message>
    <message>
        <source>Stable Diffusion 1.x</source>
        <translation>Stable Diffusion 1.x</translation>
    </message>
    <message>
        <source>Stable Diffusion 2.x</source>
        <translation>Stable Diffusion 2.x</translation>
    </message>
    <message>
        <source>SDXL</source>
        <translation>SDXL</translation>
    </message>
    <message>
        <source>Stable Diffusion (1.x, 2.x or SDXL)</source>
        <translation>Stable Diffusion（1.x、2.x 或 SDXL）</translation>
    </message>
    <message>
        <source>Stable Diffusion 3</source>
        <translation>Stable Diffusion 3</translation>
    </message>
    <message>
        <source>Qwen-Image</source>
        <translation>Qwen-Image</translation>
    </message>
    <message>
        <source>HunyuanVideo</source>
        <translation>HunyuanVideo（混元视频）</translation>
    </message>
    <message>
        <source>Wan (video)</source>
        <translation>Wan（万相，视频）</translation>
    </message>
    <message>
        <source>HiDream-I1</source>
        <translation>HiDream-I1</translation>
    </message>
    <message>
        <source>Lumina 2 / Z-Image</source>
        <translation>Lumina 2 / Z-Image</translation>
    </message>
    <message>
        <source>PixArt</source>
        <translation>PixArt</translation>
    </message>
    <message>
        <source>FLUX Control (Canny/Depth), which needs a control image</source>
        <translation>FLUX Control（Canny/Depth），需要控制图</translation>
    </message>
    <message>
        <source>{file} holds no LoRA layers{what}. Put only LoRA files in the LoRA folders; model files go where Model setup finds them.</source>
        <translation>{file} 中没有 LoRA 层{what}。LoRA 文件夹中只放 LoRA 文件；模型文件应放在模型设置能找到的位置。</translation>
    </message>
    <message>
        <source>{file} is a LoRA for {family}, not for FLUX.1. MajicFlux can only use LoRAs made for FLUX.1 (dev); download the FLUX.1 version of this LoRA if there is one.</source>
        <translation>{file} 是 {family} 的 LoRA，不是 FLUX.1 的。MajicFlux 只能使用为 FLUX.1（dev）训练的 LoRA；如果这个 LoRA 有 FLUX.1 版本，请下载那个版本。</translation>
    </message>
    <message>
        <source>{file} changes only the text encoders (layers: {count}). MajicFlux applies LoRAs to the transformer only, so this file would have no effect; use a LoRA trained on the FLUX.1 transformer.</source>
        <translation>{file} 只修改文本编码器（{count} 层）。MajicFlux 只把 LoRA 应用到 Transformer，因此这个文件不会有任何效果；请使用针对 FLUX.1 Transformer 训练的 LoRA。</translation>
    </message>
    <message>
        <source>{file}: 0 of {total} layers matched this transformer. The layer names are FLUX&apos;s, but their sizes differ ({examples}): it was made for a model of another size. Use a LoRA made for FLUX.1 (dev).</source>
        <translation>{file}：{total} 层中没有一层与此 Transformer 匹配。层名属于 FLUX，但尺寸不同（{examples}）：它是为另一种尺寸的模型训练的。请使用为 FLUX.1（dev）训练的 LoRA。</translation>
    </message>
    <message>
        <source>{file}: 0 of {total} layers can be applied: they are of a kind MajicFlux does not apply (incomplete, or a convolution-only LyCORIS type: {examples}). Use a LoRA, LoKr, LoHa or DoRA file for FLUX.1.</source>
        <translation>{file}：{total} 层中没有一层可以应用：它们是 MajicFlux 不支持的类型（不完整，或仅用于卷积的 LyCORIS 类型：{examples}）。请使用 FLUX.1 的 LoRA、LoKr、LoHa 或 DoRA 文件。</translation>
    </message>
    <message>
        <source>{file}: 0 of {total} layers matched this transformer&apos;s layers (unknown names such as {examples}). It is not a FLUX.1 LoRA, or it is written in a layout MajicFlux does not know.</source>
        <translation>{file}：{total} 层中没有一层与此 Transformer 的层匹配（未知的层名，例如 {examples}）。它不是 FLUX.1 的 LoRA，或采用了 MajicFlux 不认识的格式。</translation>
    </message>
    <message>
        <source>{file} also changes the text encoders (layers: {count}); it is applied to the transformer only.</source>
        <translation>{file} 还会修改文本编码器（{count} 层）；只应用到 Transformer。</translation>
    </message>
    <message>
        <source>{file}: {matched} of {total} transformer layers matched; the others ({examples}) are not applied.</source>
        <translation>{file}：{total} 个 Transformer 层中匹配了 {matched} 个；其余的（{examples}）不会应用。</translation>
    </message>
    <message>
        <source>The LoRA “{name}” (hash {hash}) is not in the LoRA folders ({folders}). Put the file in one of them, or remove the LoRA from the list.</source>
        <translation>LoRA“{name}”（哈希 {hash}）不在 LoRA 文件夹（{folders}）中。请把文件放进其中一个文件夹，或从列表中移除该 LoRA。</translation>
    </message>
    <message>
        <source>The LoRA “{name}” is not in the LoRA folders ({folders}). Put the file {name}.safetensors in one of them, or remove the LoRA from the list.</source>
        <translation>LoRA“{name}”不在 LoRA 文件夹（{folders}）中。请把文件 {name}.safetensors 放进其中一个文件夹，或从列表中移除该 LoRA。</translation>
    </message>
    <message>
        <source>Type a ModelScope model id (owner/name, for example {example}) or paste the address of a .safetensors file.</source>
        <translation>请输入魔搭 ModelScope 模型 ID（作者/名称，例如 {example}），或粘贴 .safetensors 文件的地址。</translation>
    </message>
    <message>
        <source>“{text}” is neither a ModelScope model id nor a web address. A model id is the owner and the name as the model&apos;s page shows them, for example {example}; an address starts with https://. A LoRA file already on this computer needs no download: copy it into the LoRA folder.</source>
        <translation>“{text}”既不是魔搭 ModelScope 模型 ID，也不是网址。模型 ID 是模型页面上显示的作者和名称，例如 {example}；网址以 https:// 开头。已在本机上的 LoRA 文件无需下载：把它复制到 LoRA 文件夹即可。</translation>
    </message>
    <message>
        <source>{url} is not a valid web address ({reason}). Copy the download link again; it starts with https://.</source>
        <translation>{url} 不是有效的网址（{reason}）。请重新复制下载链接；它以 https:// 开头。</translation>
    </message>
    <message>
        <source>{name} is not a .safetensors file. MajicFlux loads LoRAs only from .safetensors files, because other formats (.ckpt, .pt, .bin) can run code when they are opened; look for the .safetensors version of this LoRA.</source>
        <translation>{name} 不是 .safetensors 文件。MajicFlux 只从 .safetensors 文件加载 LoRA，因为其他格式（.ckpt、.pt、.bin）在打开时可能执行代码；请寻找这个 LoRA 的 .safetensors 版本。</translation>
    </message>
    <message>
        <source>{repo} holds {count} LoRA files: {names}. Name the one to download after the model id, for example {example}.</source>
        <translation>{repo} 中有 {count} 个 LoRA 文件：{names}。请在模型 ID 后写上要下载的文件，例如 {example}。</translation>
    </message>
    <message>
        <source>There is no model {repo} on {source}. Check the model id: the owner and the name as the model&apos;s page shows them, for example {example}.</source>
        <translation>{source} 上没有模型 {repo}。请检查模型 ID：即模型页面上显示的作者和名称，例如 {example}。</translation>
    </message>
    <message>
        <source>{repo} holds no .safetensors file, only {names}. MajicFlux loads LoRAs only from .safetensors files, because other formats (.ckpt, .pt, .bin) can run code when they are opened; look for a .safetensors version of this LoRA.</source>
        <translation>{repo} 中没有 .safetensors 文件，只有 {names}。MajicFlux 只从 .safetensors 文件加载 LoRA，因为其他格式（.ckpt、.pt、.bin）在打开时可能执行代码；请寻找这个 LoRA 的 .safetensors 版本。</translation>
    </message>
    <message>
        <source>{repo} on {source} holds no LoRA file (.safetensors); its files: {names}. Check the model id.</source>
        <translation>{source} 上的 {repo} 中没有 LoRA 文件（.safetensors）；其中的文件：{names}。请检查模型 ID。</translation>
    </message>
    <message>
        <source>There is no file {path} in {repo} on {source}. Its LoRA files: {names}.</source>
        <translation>{source} 上的 {repo} 中没有文件 {path}。其中的 LoRA 文件：{names}。</translation>
    </message>
    <message>
        <source>{url} is an empty file. Check the address.</source>
        <translation>{url} 是一个空文件。请检查地址。</translation>
    </message>
    <message>
        <source>{url} is a web page, not a file. On that page, copy the link of the .safetensors file itself (often its Download button) and paste that.</source>
        <translation>{url} 是一个网页，不是文件。请在该页面上复制 .safetensors 文件本身的链接（通常在其“下载”按钮上）并粘贴到这里。</translation>
    </message>
    <message>
        <source>{host} does not say how large {name} is, so MajicFlux can neither check the download nor continue it after an interruption. Download it with a web browser and copy it into the LoRA folder.</source>
        <translation>{host} 没有告知 {name} 的大小，因此 MajicFlux 无法校验下载，也无法在中断后继续。请用浏览器下载它，再复制到 LoRA 文件夹。</translation>
    </message>
    <message>
        <source>{folder} already holds {count} other files named like {name}. Move some of them away and download again.</source>
        <translation>{folder} 中已有 {count} 个与 {name} 同名的其他文件。请移走其中一些后再下载。</translation>
    </message>
    <message>
        <source>{file} is already in the LoRA folder, but MajicFlux cannot use it: {reason}</source>
        <translation>{file} 已在 LoRA 文件夹中，但 MajicFlux 无法使用它：{reason}</translation>
    </message>
    <message>
        <source>{name} was downloaded but cannot be used, so it was deleted again. {reason}</source>
        <translation>{name} 已下载，但无法使用，因此已被删除。{reason}</translation>
    </message>
</context>
<context>
    <name>menus</name>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Open output folder</source>
        <translation>打开输出文件夹</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>Copy image</source>
        <translation>复制图片</translation>
    </message>
    <message>
        <source>Paste parameters</source>
        <translation>粘贴参数</translation>
    </message>
    <message>
        <source>Empty trash…</source>
        <translation>清空回收站…</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Dark theme</source>
        <translation>深色主题</translation>
    </message>
    <message>
        <source>Light theme</source>
        <translation>浅色主题</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Full view</source>
        <translation>全屏查看</translation>
    </message>
    <message>
        <source>&amp;Image</source>
        <translation>图片(&amp;I)</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>开始生成</translation>
    </message>
    <message>
        <source>Cancel the running job</source>
        <translation>取消正在运行的任务</translation>
    </message>
    <message>
        <source>Reuse all parameters</source>
        <translation>复用全部参数</translation>
    </message>
    <message>
        <source>&amp;Models</source>
        <translation>模型(&amp;M)</translation>
    </message>
    <message>
        <source>Model setup…</source>
        <translation>模型设置…</translation>
    </message>
    <message>
        <source>Check model files</source>
        <translation>检查模型文件</translation>
    </message>
    <message>
        <source>Try the demo (random weights)</source>
        <translation>试用演示（随机权重）</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation>打开日志文件夹</translation>
    </message>
    <message>
        <source>About MajicFlux</source>
        <translation>关于 MajicFlux</translation>
    </message>
</context>
<context>
    <name>metadata</name>
    <message>
        <source>not an image format MajicFlux can read</source>
        <translation>不是 MajicFlux 能读取的图片格式</translation>
    </message>
    <message>
        <source>the picture is too large to open safely</source>
        <translation>图片太大，无法安全打开</translation>
    </message>
    <message>
        <source>the file is gone</source>
        <translation>文件已不存在</translation>
    </message>
    <message>
        <source>permission denied</source>
        <translation>权限不足</translation>
    </message>
    <message>
        <source>the file is damaged or cut off</source>
        <translation>文件已损坏或不完整</translation>
    </message>
    <message>
        <source>This file is not a readable image ({reason}).</source>
        <translation>此文件不是可读取的图片（{reason}）。</translation>
    </message>
    <message>
        <source>Ignored the oversized text block “{key}”.</source>
        <translation>已忽略过大的文本块“{key}”。</translation>
    </message>
    <message>
        <source>The {source} parameters in this file are damaged.</source>
        <translation>此文件中的 {source} 参数已损坏。</translation>
    </message>
    <message>
        <source>The image&apos;s “parameters” text is not generation parameters; it was ignored.</source>
        <translation>图片中的“parameters”文字不是生成参数，已忽略。</translation>
    </message>
    <message>
        <source>This image carries no generation parameters.</source>
        <translation>这张图片不含生成参数。</translation>
    </message>
    <message>
        <source>The clipboard holds no generation parameters.</source>
        <translation>剪贴板中没有生成参数。</translation>
    </message>
    <message>
        <source>The text is not generation parameters. Copy them from A1111, Forge or MajicFlux (the block that ends with “Steps: …, Seed: …”).</source>
        <translation>这段文字不是生成参数。请从 A1111、Forge 或 MajicFlux 中复制（以“Steps: …, Seed: …”结尾的那段）。</translation>
    </message>
    <message>
        <source>This image was made from another picture (denoising strength {strength}); only its text-to-image parameters are used.</source>
        <translation>这张图片是由另一张图片生成的（重绘强度 {strength}）；只使用其文生图参数。</translation>
    </message>
    <message>
        <source>CFG scale {value} was made for another kind of model; FLUX guidance {default} is used.</source>
        <translation>CFG 系数 {value} 是为其他类型的模型设置的；改用 FLUX 引导强度 {default}。</translation>
    </message>
    <message>
        <source>Made with the model “{model}”.</source>
        <translation>由模型“{model}”生成。</translation>
    </message>
    <message>
        <source>The ComfyUI workflow has no prompt text we could find.</source>
        <translation>在这个 ComfyUI 工作流中找不到提示词文本。</translation>
    </message>
    <message>
        <source>Could not use {field} = {value}; kept the current default.</source>
        <translation>无法使用 {field} = {value}；保留当前默认值。</translation>
    </message>
    <message>
        <source>{field} {value} was adjusted to {snapped}.</source>
        <translation>{field} {value} 已调整为 {snapped}。</translation>
    </message>
</context>
<context>
    <name>models</name>
    <message>
        <source>majicflus_v1 transformer (DiT)</source>
        <translation>majicflus_v1 主模型（DiT）</translation>
    </message>
    <message>
        <source>CLIP-L text encoder</source>
        <translation>CLIP-L 文本编码器</translation>
    </message>
    <message>
        <source>T5-XXL text encoder</source>
        <translation>T5-XXL 文本编码器</translation>
    </message>
    <message>
        <source>VAE (autoencoder)</source>
        <translation>VAE（自编码器）</translation>
    </message>
    <message>
        <source>CLIP tokenizer</source>
        <translation>CLIP 分词器</translation>
    </message>
    <message>
        <source>T5 tokenizer</source>
        <translation>T5 分词器</translation>
    </message>
    <message>
        <source>T5-XXL text encoder (single file)</source>
        <translation>T5-XXL 文本编码器（单文件）</translation>
    </message>
    <message>
        <source>FLUX.1-dev transformer</source>
        <translation>FLUX.1-dev 主模型</translation>
    </message>
    <message>
        <source>the copy shipped with MajicFlux</source>
        <translation>MajicFlux 自带的副本</translation>
    </message>
</context>
<context>
    <name>picture_files</name>
    <message>
        <source>Pictures ({patterns})</source>
        <translation>图片 ({patterns})</translation>
    </message>
    <message>
        <source>“{name}” cannot be read ({reason}). Check the file.</source>
        <translation>无法读取“{name}”（{reason}）。请检查该文件。</translation>
    </message>
    <message>
        <source>“{name}” is an empty picture. Use another one.</source>
        <translation>“{name}”是一张空图片。请换一张。</translation>
    </message>
    <message>
        <source>“{name}” is {width}×{height} pixels, too large to use. Scale it down to at most 8192×8192 first.</source>
        <translation>“{name}”为 {width}×{height} 像素，太大，无法使用。请先把它缩小到不超过 8192×8192。</translation>
    </message>
    <message>
        <source>The picture could not be read ({error}).</source>
        <translation>图片无法读取（{error}）。</translation>
    </message>
</context>
<context>
    <name>plan</name>
    <message>
        <source>no NVIDIA driver is installed; install driver 580 or newer to use the GPU</source>
        <translation>未安装 NVIDIA 驱动；请安装 580 或更新版本的驱动以使用显卡</translation>
    </message>
    <message>
        <source>the NVIDIA driver is installed but not running; restart the computer</source>
        <translation>NVIDIA 驱动已安装但未运行；请重启电脑</translation>
    </message>
    <message>
        <source>the NVIDIA driver was updated and needs a restart of the computer</source>
        <translation>NVIDIA 驱动已更新，需要重启电脑</translation>
    </message>
    <message>
        <source>no permission to read the NVIDIA GPU</source>
        <translation>没有读取 NVIDIA 显卡的权限</translation>
    </message>
    <message>
        <source>no NVIDIA GPU found</source>
        <translation>未找到 NVIDIA 显卡</translation>
    </message>
    <message>
        <source>the NVIDIA driver gave no reading ({detail})</source>
        <translation>NVIDIA 驱动没有返回读数（{detail}）</translation>
    </message>
    <message>
        <source>Everything in bf16 on the GPU (fastest; 40 GB cards).</source>
        <translation>全部以 bf16 放在显卡上（最快；需要 40 GB 显卡）。</translation>
    </message>
    <message>
        <source>Transformer stored in float8 and resident on the GPU, computed in bf16; the T5 encoder stays bf16 and visits the GPU when it does not fit beside it.</source>
        <translation>Transformer 以 float8 存储并常驻显卡，用 bf16 计算；T5 编码器保持 bf16，放不下时临时进入显卡。</translation>
    </message>
    <message>
        <source>The original article&apos;s set-up: every model rests in host RAM (transformer in float8) and diffsynth moves layers to the GPU when used.</source>
        <translation>原文章的配置：所有模型平时放在内存中（transformer 为 float8），用到时由 diffsynth 把各层移到显卡。</translation>
    </message>
    <message>
        <source>Lowest VRAM: transformer and T5 in float8; as many blocks as the budget allows stay on the GPU, the rest stream from RAM while the previous block computes.</source>
        <translation>显存占用最低：transformer 和 T5 为 float8；预算允许的模块常驻显卡，其余在上一个模块计算时从内存流式传入。</translation>
    </message>
    <message>
        <source>No NVIDIA GPU: running on the CPU (very slow).</source>
        <translation>没有 NVIDIA 显卡：在 CPU 上运行（非常慢）。</translation>
    </message>
    <message>
        <source>{plan}: needs about {need:.1f} GB at {width}×{height}; {free:.1f} GB free.</source>
        <translation>{plan}：{width}×{height} 约需 {need:.1f} GB；空闲 {free:.1f} GB。</translation>
    </message>
    <message>
        <source>fp8-stream: {free:.1f} GB free, so the transformer keeps what fits of a {budget:.1f} GB budget on the GPU and streams the rest.</source>
        <translation>fp8-stream：空闲 {free:.1f} GB，因此 transformer 在 {budget:.1f} GB 预算内尽量常驻显卡，其余部分流式传入。</translation>
    </message>
    <message>
        <source>{plan}: needs about {need:.1f} GB of VRAM at {width}×{height} ({free:.1f} GB free) and {ram_need:.1f} GB of RAM ({ram:.1f} GB available).</source>
        <translation>{plan}：{width}×{height} 下约需 {need:.1f} GB 显存（空闲 {free:.1f} GB）和 {ram_need:.1f} GB 内存（可用 {ram:.1f} GB）。</translation>
    </message>
    <message>
        <source>fp8-stream: {free:.1f} GB of VRAM free, so the transformer keeps what fits of a {budget:.1f} GB budget on the GPU and streams the rest from RAM; needs about {ram_need:.1f} GB of RAM ({ram:.1f} GB available).</source>
        <translation>fp8-stream：显存空闲 {free:.1f} GB，因此 transformer 在 {budget:.1f} GB 预算内尽量常驻显卡，其余部分从内存流式传入；约需 {ram_need:.1f} GB 内存（可用 {ram:.1f} GB）。</translation>
    </message>
    <message>
        <source>{plan}: needs about {need:.1f} GB of VRAM ({free:.1f} GB free) and {ram_need:.1f} GB of RAM, but only {ram:.1f} GB of RAM is available and no plan needs less. Close other programs to free {short:.1f} GB of RAM (or fit more RAM); otherwise the computer swaps and images are much slower.</source>
        <translation>{plan}：约需 {need:.1f} GB 显存（空闲 {free:.1f} GB）和 {ram_need:.1f} GB 内存，但可用内存只有 {ram:.1f} GB，且没有更省内存的方案。请关闭其他程序，腾出 {short:.1f} GB 内存（或加装内存）；否则系统会用硬盘交换内存，出图会慢很多。</translation>
    </message>
</context>
<context>
    <name>recovery</name>
    <message>
        <source>MajicFlux stopped while saving: {count} image(s) it had written were added back to the gallery.</source>
        <translation>MajicFlux 在保存时中止：已写入的 {count} 张图片已重新加入图库。</translation>
    </message>
    <message>
        <source>{count} image(s) in the library have no file any more (moved or deleted outside MajicFlux), for example “{example}”.</source>
        <translation>图库中有 {count} 张图片的文件已不存在（在 MajicFlux 之外被移动或删除），例如“{example}”。</translation>
    </message>
    <message>
        <source>MajicFlux could not finish tidying up after the last session ({error}). Your images are safe; it tries again at the next start. Details are in the log (Help ▸ Open log folder).</source>
        <translation>MajicFlux 未能完成上次会话的善后整理（{error}）。你的图片是安全的；下次启动时会再试一次。详细信息见日志（帮助 ▸ 打开日志文件夹）。</translation>
    </message>
</context>
<context>
    <name>request</name>
    <message>
        <source>The prompt is empty. Describe the image you want.</source>
        <translation>提示词是空的。请描述你想要的图片。</translation>
    </message>
    <message>
        <source>The prompt is {length} characters long. Shorten it to at most {limit}: the model reads only about the first 512 tokens.</source>
        <translation>提示词有 {length} 个字符。请缩短到 {limit} 个以内：模型只读取大约前 512 个词元。</translation>
    </message>
    <message>
        <source>The negative prompt is {length} characters long. Shorten it to at most {limit}.</source>
        <translation>负向提示词有 {length} 个字符。请缩短到 {limit} 个以内。</translation>
    </message>
    <message>
        <source>Width</source>
        <translation>宽度</translation>
    </message>
    <message>
        <source>Height</source>
        <translation>高度</translation>
    </message>
    <message>
        <source>{side} {value} is outside {low}–{high} pixels. Choose a size in that range.</source>
        <translation>{side} {value} 超出 {low}–{high} 像素的范围。请在此范围内选择尺寸。</translation>
    </message>
    <message>
        <source>{side} {value} is not a multiple of 16. Use {snapped}.</source>
        <translation>{side} {value} 不是 16 的倍数。请使用 {snapped}。</translation>
    </message>
    <message>
        <source>Steps must be between {low} and {high} (got {value}).</source>
        <translation>步数必须在 {low} 到 {high} 之间（当前为 {value}）。</translation>
    </message>
    <message>
        <source>The seed must be a whole number from 0 to {high} (got {value}). Leave it empty for a random seed.</source>
        <translation>随机种子必须是 0 到 {high} 之间的整数（当前为 {value}）。留空则使用随机种子。</translation>
    </message>
    <message>
        <source>Guidance must be between {low} and {high} (got {value}); 3.5 is typical.</source>
        <translation>引导强度必须在 {low} 到 {high} 之间（当前为 {value}）；一般用 3.5。</translation>
    </message>
    <message>
        <source>CFG scale must be between {low} and {high} (got {value}); 1 turns it off.</source>
        <translation>CFG 系数必须在 {low} 到 {high} 之间（当前为 {value}）；1 表示关闭。</translation>
    </message>
    <message>
        <source>Count must be between {low} and {high} (got {value}).</source>
        <translation>数量必须在 {low} 到 {high} 之间（当前为 {value}）。</translation>
    </message>
    <message>
        <source>The prompt is about {tokens} tokens; the text encoder reads only the first 512. Put what matters most first.</source>
        <translation>提示词约有 {tokens} 个词元；文本编码器只读取前 512 个。请把最重要的内容放在前面。</translation>
    </message>
    <message>
        <source>FLUX models understand English prompts best; Chinese words may be partly ignored. English keywords give more reliable results.</source>
        <translation>FLUX 模型最理解英文提示词，中文可能被部分忽略。使用英文关键词效果更可靠。</translation>
    </message>
    <message>
        <source>The negative prompt only acts with a CFG scale above 1 (which doubles the time per step).</source>
        <translation>负向提示词只在 CFG 系数大于 1 时起作用（每一步耗时加倍）。</translation>
    </message>
    <message>
        <source>At most {limit} LoRAs can be used at once (got {count}).</source>
        <translation>一次最多只能使用 {limit} 个 LoRA（当前 {count} 个）。</translation>
    </message>
    <message>
        <source>A LoRA has no name.</source>
        <translation>有一个 LoRA 没有名称。</translation>
    </message>
    <message>
        <source>The weight of the LoRA “{name}” must be between {low} and {high} (got {value}); 1 is typical.</source>
        <translation>LoRA“{name}”的权重必须在 {low} 到 {high} 之间（当前为 {value}）；通常为 1。</translation>
    </message>
    <message>
        <source>The LoRA “{name}” is in the list twice. Keep one of them.</source>
        <translation>LoRA“{name}”在列表中出现了两次。请只保留一个。</translation>
    </message>
    <message>
        <source>Strength must be between {low} and {high} (got {value}): low keeps more of the source, 1 repaints it completely.</source>
        <translation>重绘强度必须在 {low} 到 {high} 之间（当前为 {value}）：越低越保留源图，1 表示完全重绘。</translation>
    </message>
    <message>
        <source>Inpainting needs a mask: paint over the part of the picture to repaint.</source>
        <translation>局部重绘需要蒙版：请涂抹要重绘的区域。</translation>
    </message>
    <message>
        <source>Outpainting adds 1 to {limit} pixels on at least one side (got {sides}).</source>
        <translation>扩图至少要在一边增加 1 到 {limit} 像素（当前为 {sides}）。</translation>
    </message>
    <message>
        <source>Upscaling goes ×1.5 or ×2 (got ×{value}).</source>
        <translation>放大倍数为 ×1.5 或 ×2（当前为 ×{value}）。</translation>
    </message>
    <message>
        <source>Feather must be 0 to {feather} pixels and padding 0 to {padding} pixels.</source>
        <translation>羽化必须为 0 到 {feather} 像素，边距为 0 到 {padding} 像素。</translation>
    </message>
    <message>
        <source>The source picture is missing. Choose it again.</source>
        <translation>缺少源图。请重新选择。</translation>
    </message>
    <message>
        <source>The picture is already {width}×{height}; upscaling goes up to {limit} pixels on the long side. Use image to image on it instead.</source>
        <translation>图片已经是 {width}×{height}；放大后长边最多 {limit} 像素。请改用图生图。</translation>
    </message>
    <message>
        <source>The source is {width}×{height}; keeping its size works only from {low} to {high} pixels a side. Choose Fit or Fill and a size.</source>
        <translation>源图为 {width}×{height}；保持原尺寸只适用于每边 {low} 到 {high} 像素的图片。请选择“适应”或“填充”并指定尺寸。</translation>
    </message>
    <message>
        <source>This edit of a {width}×{height} picture works at {work_width}×{work_height}, not {asked_width}×{asked_height}. Use that size.</source>
        <translation>这次编辑的图片为 {width}×{height}，需要以 {work_width}×{work_height} 生成，而不是 {asked_width}×{asked_height}。请使用该尺寸。</translation>
    </message>
</context>
<context>
    <name>settings</name>
    <message>
        <source>The settings file as it was is kept as “{backup}”.</source>
        <translation>原来的设置文件已保留为“{backup}”。</translation>
    </message>
    <message>
        <source>The settings were saved by a newer version of MajicFlux; settings this version does not know are ignored.</source>
        <translation>这些设置由更新版本的 MajicFlux 保存；本版本不认识的设置项已忽略。</translation>
    </message>
    <message>
        <source>The setting “{name}” had a value that cannot be used ({value}); the default ({default}) is used instead.</source>
        <translation>设置项“{name}”的值无法使用（{value}）；已改用默认值（{default}）。</translation>
    </message>
    <message>
        <source>The setting “{name}” is unknown to this version and was ignored.</source>
        <translation>本版本不认识设置项“{name}”，已忽略。</translation>
    </message>
    <message>
        <source>it is not UTF-8 text</source>
        <translation>它不是 UTF-8 文本</translation>
    </message>
    <message>
        <source>it holds no settings</source>
        <translation>其中没有设置</translation>
    </message>
    <message>
        <source>it is nested too deeply</source>
        <translation>嵌套层级太深</translation>
    </message>
    <message>
        <source>it is not valid JSON</source>
        <translation>它不是有效的 JSON</translation>
    </message>
    <message>
        <source>The settings file “{path}” could not be read ({reason}); the default settings are used.</source>
        <translation>无法读取设置文件“{path}”（{reason}）；已使用默认设置。</translation>
    </message>
    <message>
        <source>The settings file “{path}” could not be read ({reason}); the default settings are used. The file as it was is kept as “{backup}”.</source>
        <translation>无法读取设置文件“{path}”（{reason}）；已使用默认设置。原来的文件已保留为“{backup}”。</translation>
    </message>
</context>
<context>
    <name>shortcuts</name>
    <message>
        <source>Generate: add the prompt to the queue</source>
        <translation>开始生成：把提示词加入队列</translation>
    </message>
    <message>
        <source>Cancel the running job</source>
        <translation>取消正在运行的任务</translation>
    </message>
    <message>
        <source>Re-roll the selected image (new random seed)</source>
        <translation>重新随机选中的图片（新的随机种子）</translation>
    </message>
    <message>
        <source>Reuse the selected image&apos;s seed</source>
        <translation>复用选中图片的随机种子</translation>
    </message>
    <message>
        <source>Reuse all parameters of the selected image</source>
        <translation>复用选中图片的全部参数</translation>
    </message>
    <message>
        <source>Use the selected image as the source picture (edit it)</source>
        <translation>把选中的图片用作源图（编辑它）</translation>
    </message>
    <message>
        <source>Favourite the selected image</source>
        <translation>收藏选中的图片</translation>
    </message>
    <message>
        <source>Copy the selected image</source>
        <translation>复制选中的图片</translation>
    </message>
    <message>
        <source>Paste parameters (A1111 text or a PNG), or a picture as the source</source>
        <translation>粘贴参数（A1111 文本或 PNG），或把图片粘贴为源图</translation>
    </message>
    <message>
        <source>Move the selected image to the trash (gallery)</source>
        <translation>把选中的图片移到回收站（图库）</translation>
    </message>
    <message>
        <source>Undo the move to the trash (gallery)</source>
        <translation>撤销移到回收站（图库）</translation>
    </message>
    <message>
        <source>Search prompts in the gallery</source>
        <translation>在图库中搜索提示词</translation>
    </message>
    <message>
        <source>Full view of the selected image</source>
        <translation>全屏查看选中的图片</translation>
    </message>
    <message>
        <source>Move the selected job in the queue</source>
        <translation>在队列中移动选中的任务</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>This list of keys</source>
        <translation>本快捷键列表</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
</context>
<context>
    <name>sources</name>
    <message>
        <source>“{name}” is too large ({megabytes} MB). Use a picture of at most 256 MB.</source>
        <translation>“{name}”太大（{megabytes} MB）。请使用不超过 256 MB 的图片。</translation>
    </message>
    <message>
        <source>“{name}” is {width}×{height} pixels, too large to use. Scale it down to at most 8192×8192 first.</source>
        <translation>“{name}”为 {width}×{height} 像素，太大无法使用。请先缩小到 8192×8192 以内。</translation>
    </message>
    <message>
        <source>“{name}” is far larger than 8192×8192 pixels, too large to use. Scale it down to at most 8192×8192 first.</source>
        <translation>“{name}”远大于 8192×8192 像素，太大，无法使用。请先把它缩小到不超过 8192×8192。</translation>
    </message>
    <message>
        <source>“{name}” is not a picture MajicFlux can read. Use a PNG, JPEG or WebP image.</source>
        <translation>“{name}”不是 MajicFlux 能读取的图片。请使用 PNG、JPEG 或 WebP 图片。</translation>
    </message>
    <message>
        <source>The picture this edit starts from is no longer in the library ({path}). Choose the source again.</source>
        <translation>这次编辑所用的源图已不在图库中（{path}）。请重新选择源图。</translation>
    </message>
    <message>
        <source>The stored copy of this edit&apos;s picture is damaged ({path}). Choose the source again.</source>
        <translation>这次编辑所保存的源图副本已损坏（{path}）。请重新选择源图。</translation>
    </message>
</context>
<context>
    <name>startup</name>
    <message>
        <source>Demo mode: a tiny model with random weights makes noise, not pictures. Everything else works as it will with the real model.</source>
        <translation>演示模式：随机权重的微型模型生成的是噪点，而不是图画。其他一切都与使用真实模型时一样。</translation>
    </message>
    <message>
        <source>No NVIDIA GPU was found: images would be made on the CPU, which takes many minutes each. Check the graphics driver, or try the demo.</source>
        <translation>未找到 NVIDIA 显卡：图片将在 CPU 上生成，每张需要很多分钟。请检查显卡驱动，或试用演示。</translation>
    </message>
    <message>
        <source>{count} job(s) from last time are waiting in the queue. The queue is paused so nothing starts without you.</source>
        <translation>上次留下的 {count} 个任务正在队列中等待。队列已暂停，不会在你确认前开始。</translation>
    </message>
    <message>
        <source>Start the queue</source>
        <translation>开始队列</translation>
    </message>
    <message>
        <source>{count} job(s) did not finish last time (MajicFlux was closed, crashed or was stopped): {prompts}{more}. Resume makes only the images still missing.</source>
        <translation>上次有 {count} 个任务没有完成（MajicFlux 被关闭、崩溃或被终止）：{prompts}{more}。“继续”只会生成尚未完成的图片。</translation>
    </message>
    <message>
        <source> and {count} more</source>
        <translation>，以及另外 {count} 个</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>{blocker} is a file, but MajicFlux keeps its settings, history and logs in a folder there ({folder}). Rename or move that file, or start MajicFlux with --data-dir and another folder.</source>
        <translation>{blocker} 是一个文件，但 MajicFlux 需要在那里用文件夹（{folder}）保存设置、历史记录和日志。请重命名或移走该文件，或用 --data-dir 指定另一个文件夹启动 MajicFlux。</translation>
    </message>
    <message>
        <source>MajicFlux cannot write to its data folder {folder} ({reason}). Make it writable, or start MajicFlux with --data-dir and a folder you can write to.</source>
        <translation>MajicFlux 无法写入数据文件夹 {folder}（{reason}）。请将其设为可写，或用 --data-dir 指定一个可写的文件夹启动 MajicFlux。</translation>
    </message>
</context>
</TS>
