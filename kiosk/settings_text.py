"""Chinese names and descriptions of the settings, for the technician's 设置 tab.

kiosk/config.py declares each setting with an English description (the README's table and support use it); this
table gives each key a short Chinese name and a one-line Chinese description. The maintenance screen shows those,
with the key in small type: the key is what docs and support calls name. Every setting must have an entry here
(tests/kiosk/test_settings_text.py fails otherwise), so a new setting cannot reach the screen in English only.
Entries for settings of branches not merged yet are harmless: only keys in kiosk.config.SETTINGS are shown.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SettingText:
    name: str          # a few characters, shown as the row's title
    description: str   # one line: what it does, and its unit where that matters


_T = SettingText
TEXTS: dict[str, SettingText] = {
    # station and hub
    "station_id": _T("站点编号", "服务端用来识别本机的编号"),
    "station_code": _T("回执号前缀", "印在回执号开头的站点简码"),
    "station_name": _T("站点名称", "显示在屏幕和回执上的站点名称"),
    "follow_up": _T("办件查询方式", "回执上告诉群众如何查询办理进度"),
    "hub_url": _T("服务端地址", "中心平台（服务端）的网址"),
    "hub_ca_file": _T("服务端证书", "校验 https 服务端用的 CA 证书文件（留空：用系统证书）"),
    "zlb_public_key": _T("浙里办验签公钥", "校验浙里办身份码签名的公钥（十六进制；默认是模拟器的演示公钥）"),
    # sync
    "sync_interval_s": _T("同步间隔", "空闲时两次同步之间的秒数"),
    "sync_timeout_s": _T("同步请求超时", "一次同步请求最多等多少秒"),
    "sync_batch_size": _T("每批条数", "一次上报最多多少条记录"),
    "sync_max_batch_bytes": _T("每批大小上限", "一次上报压缩后最多多少字节"),
    "sync_push_connections": _T("并行上报连接数", "同时上报几批，每批一条连接（海岛线路丢包多时更快）"),
    "sync_slow_link_bps": _T("慢速线路估值", "按每秒多少字节估算差的海岛线路，用来放宽超时"),
    "sync_probe_interval_s": _T("离线探测间隔", "离线时每隔多少秒检查一次能否连上服务端"),
    "sync_pull_interval_s": _T("下载间隔", "两次从服务端下载（状态、事项目录等）之间至少多少秒"),
    "sync_backoff_cap_s": _T("失败后最长等待", "同步失败后两轮之间最多等多少秒"),
    "sync_pull_page_size": _T("每页条数", "下载时每页取多少条"),
    "sync_pull_max_pages": _T("每轮最多页数", "每一轮每类数据最多下载几页，其余下一轮再取"),
    "attachment_chunk_bytes": _T("附件分块大小", "上传附件时每块多少字节"),
    "sync_require_enrollment": _T("须先注册才上报", "开：本机注册到服务端之前什么都不发送（正式使用时开）"),
    "sync_overdue_warn_h": _T("未同步警告时间", "多少小时没有同步（或最早一件没报出）就提示警告"),
    "sync_overdue_refuse_h": _T("未同步停办时间", "多少小时没有同步就暂停受理非紧急事项"),
    "backlog_warn": _T("积压警告数", "待上报多少件时提示警告"),
    "backlog_refuse": _T("积压停办数", "待上报多少件时暂停受理非紧急事项"),
    "disk_min_free_mb": _T("最少剩余空间", "数据目录剩余空间低于多少 MB 时暂停受理非紧急事项（两倍时警告）"),
    # sessions and timeouts
    "idle_timeout_s": _T("空闲超时", "多少秒没人触摸就清空当前办理内容"),
    "idle_warning_s": _T("空闲倒计时", "清空前显示倒计时提示的秒数"),
    "device_timeout_s": _T("等卡等码时间", "等待放证件或扫码的秒数"),
    "device_scan_interval_s": _T("设备扫描间隔", "每隔多少秒检查一次设备插拔"),
    # card readers
    "idcard_backend": _T("身份证读卡器类型", "sim 模拟器；serial 串口读卡器；none 不使用"),
    "idcard_port": _T("身份证读卡器串口", "读卡器的串口（serial 时用）；留空或 auto 自动查找"),
    "idcard_wlt_library": _T("照片解码库", "厂商提供的身份证照片（WLT）解码库路径，可不填"),
    "idcard_wlt_function": _T("照片解码函数", "解码库里的函数名（unpack 或 WltToBmp）"),
    "idcard_wlt_code": _T("解码厂商代码", "传给 unpack 的厂商代码（例如 x86-64 上 158，ARM64 上 602）"),
    "smartcard_backend": _T("社保卡读卡器类型", "PC/SC 读卡器（社保卡、工作人员卡）：pcsc；sim 模拟器；none 不使用"),
    "sim_demo_card": _T("模拟演示证件", "模拟读卡器在需要时出示一张演示身份证（仅演示、开发用）"),
    # QR scanner
    "qr_backend": _T("扫码器类型", "sim 模拟器；camera 摄像头；wedge 键盘口扫码枪；serial 串口扫码器；none 不使用"),
    "qr_camera": _T("扫码摄像头", "摄像头编号（0）、设备路径（/dev/video0）、视频文件或图片序列"),
    "qr_camera_width": _T("摄像头画面宽度", "请求的画面宽度，像素（0：摄像头默认）"),
    "qr_camera_height": _T("摄像头画面高度", "请求的画面高度，像素（0：摄像头默认）"),
    "qr_camera_max_fps": _T("每秒识别帧数", "扫码时每秒最多识别几帧（限制 CPU 占用）"),
    "qr_serial_port": _T("扫码器串口", "固定式扫码器的串口，例如 /dev/ttyACM0"),
    "qr_serial_baud": _T("扫码器波特率", "串口扫码器的波特率（USB 虚拟串口的扫码器不看这个值）"),
    "qr_wedge_max_gap_ms": _T("扫码枪按键间隔", "键盘口扫码枪：一个码里两次按键之间最长多少毫秒"),
    "qr_wedge_min_length": _T("扫码枪最短长度", "键盘口扫码枪：至少多少个字符才算一个码"),
    "qr_dedupe_s": _T("重复扫码间隔", "同一个码离开多少秒后再扫才算新的一次"),
    "sim_demo_qr": _T("模拟演示二维码", "模拟扫码器在需要时出示一个演示浙里办码（仅演示、开发用）"),
    # printer
    "printer_backend": _T("打印机类型", "sim 模拟器；file 文件；network 网络；serial 串口；usb；none 不使用"),
    "printer_host": _T("网络打印机地址", "网络打印机的主机名或 IP（network 时用）"),
    "printer_tcp_port": _T("网络打印机端口", "网络打印机的 TCP 端口，通常 9100"),
    "printer_port": _T("串口打印机端口", "串口打印机的串口路径（serial 时用）"),
    "printer_baudrate": _T("串口打印机波特率", "串口打印机的速度"),
    "printer_flow_control": _T("串口流控", "串口打印机的流控方式"),
    "printer_usb_id": _T("USB 打印机编号", "lsusb 显示的 vvvv:pppp；留空：找打印机类设备"),
    "printer_status_query": _T("查询打印机状态", "每张回执打印前后查询缺纸、开盖等状态"),
    "printer_timeout_s": _T("打印机超时", "连接、发送和等待状态应答的秒数"),
    "printer_width_mm": _T("纸宽", "回执纸卷宽度，毫米"),
    # document camera
    "doccam_backend": _T("高拍仪类型", "sim 模拟器；camera 摄像头；none 不使用"),
    "doccam_camera": _T("高拍仪摄像头", "摄像头编号、设备路径、视频文件或图片序列"),
    # agents and data keeping
    "personal_data_keep_days": _T("个人信息保留天数", "服务端确认收到后，个人信息在本机再留几天（可填 0.5）"),
    "agent_max_failures": _T("代办员输错次数", "同一账号连续输错几次密码后锁定"),
    "agent_lockout_min": _T("代办员锁定时间", "锁定多少分钟；重启后仍然有效"),
    "agent_idle_timeout_s": _T("代办员空闲退出", "代办员登录后多少秒没人触摸就自动退出"),
    "draft_keep_days": _T("草稿保留天数", "代办员保存的草稿保留几天后清除"),
    "review_items": _T("需审核的事项", "这些事项编号（逗号分隔）的代办申请须经负责人审核后才上报"),
    # backups and diagnostics
    "backup_keep": _T("保留备份份数", "数据目录 backups 文件夹里保留最新的几份数据库备份"),
    "backup_interval_h": _T("自动备份间隔", "两次自动备份之间的小时数（0：不自动备份）"),
    "diagnostics_public_key": _T("诊断导出公钥", "区级的加密公钥（十六进制）；U盘诊断导出用它加密；留空不能导出"),
    "log_level": _T("日志级别", "写入日志的最低级别"),
    # maintenance mode
    "technician_max_failures": _T("维护密码输错次数", "同一账号连续输错几次维护密码后锁定"),
    "technician_lockout_min": _T("维护锁定时间", "维护入口锁定多少分钟；重启后仍然有效"),
    "technician_idle_timeout_s": _T("维护空闲退出", "多少秒没人触摸就退出维护模式"),
    # screen, lockdown and crash recovery
    "fullscreen": _T("全屏", "启动时全屏显示"),
    "lockdown": _T("锁定自助机", "全屏锁定：屏蔽退出键、不能关闭窗口、没有右键菜单"),
    "hide_cursor": _T("隐藏鼠标指针", "锁定时隐藏指针（触摸屏）；接鼠标使用时关掉"),
    "crash_storm_count": _T("连续崩溃次数", "在统计时间内崩溃这么多次就退出，由系统服务重启"),
    "crash_storm_window_s": _T("崩溃统计时间", "统计连续崩溃次数的秒数"),
    # software updates
    "update_quiet_start": _T("更新开始时间", "每天从这个时间（HH:MM）起可以安装已下载的更新"),
    "update_quiet_end": _T("更新结束时间", "安装更新的时段到这个时间（HH:MM）结束，可跨午夜"),
    # languages, elderly mode and voice
    "default_language": _T("默认语言", "每位办事群众开始时的界面语言（zh 中文，en 英文），本人可以切换"),
    # voice guidance
    "speaker_backend": _T("语音播报设备", "sim 模拟（写入声音文件），auto 使用本机声卡，off 不播报"),
    "speaker_device": _T("声卡设备名", "auto 时 aplay -D 使用的 ALSA 设备；留空用系统默认"),
    "voice_rate_wpm": _T("语音语速", "每分钟读多少词（80 到 300）；长辈模式再慢两成"),
    "qa_callback_hours": _T("回电时限（小时）", "智能问答中群众留下电话请求回电时，告知的工作人员回电时限"),
    # live chat with hub staff
    "live_chat": _T("人工咨询", "联网且中心有工作人员值班时，群众可在本机与工作人员文字对话"),
    "chat_wait_s": _T("对话等待时长", "每次向中心询问工作人员回复时最多等待的秒数（1–20）"),
    # elderly mode and accessibility
    "elderly_timeout_factor": _T("长辈模式等待倍数", "长辈模式下，无操作返回首页的时间和倒计时延长为几倍（至少1倍）"),
    "screen_dpi": _T("屏幕像素密度", "触摸屏每英寸像素数，用于检查按钮不小于9毫米（15.6英寸1280×800约96.8；0按屏幕报告）"),
    # on-screen keyboard
    "onscreen_keyboard": _T("屏幕键盘", "点输入框时弹出屏幕键盘：always 总是，auto 检测到触摸屏时，never 不弹出（接实体键盘时）"),
}


def text_for(key: str, english: str = "") -> SettingText:
    """The Chinese name and description; a key without one (never in a tested build) shows itself and the English."""
    return TEXTS.get(key) or SettingText(key, english)
