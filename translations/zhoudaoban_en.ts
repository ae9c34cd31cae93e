<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_GB" sourcelanguage="zh_CN">
    <context>
        <name>Accessible</name>
        <message>
            <source>删除一个字</source>
            <translation>Delete one character</translation>
        </message>
        <message>
            <source>横线</source>
            <translation>Hyphen</translation>
        </message>
        <message>
            <source>下划线</source>
            <translation>Underscore</translation>
        </message>
        <message>
            <source>点</source>
            <translation>Dot</translation>
        </message>
        <message>
            <source>查找要办的事</source>
            <translation>Find what you need to do</translation>
        </message>
        <message>
            <source>日志</source>
            <translation>Log</translation>
        </message>
        <message>
            <source>被隔离的记录</source>
            <translation>Quarantined records</translation>
        </message>
        <message>
            <source>最近的同步错误</source>
            <translation>Recent sync errors</translation>
        </message>
        <message>
            <source>回执号</source>
            <translation>Receipt number</translation>
        </message>
        <message>
            <source>签名区：请用手指在这里签名</source>
            <translation>Signature area: sign here with your finger</translation>
        </message>
    </context>
    <context>
        <name>AgentHomeScreen</name>
        <message>
            <source>帮办员工作台</source>
            <translation>Agent desk</translation>
        </message>
        <message>
            <source>为群众代办事项</source>
            <translation>Apply for a resident</translation>
        </message>
        <message>
            <source>有求必应</source>
            <translation>Requests and callbacks</translation>
        </message>
        <message>
            <source>我的工作队列</source>
            <translation>My work queue</translation>
        </message>
        <message>
            <source>预约上门/到站</source>
            <translation>Book a home visit / station visit</translation>
        </message>
        <message>
            <source>审核代办件</source>
            <translation>Review agent filings</translation>
        </message>
        <message>
            <source>离开前请点上方的“退出”；点上方的“帮办员…已登录”随时回到本页。长时间不操作会自动退出。</source>
            <translation>Before you leave, tap "Log out" at the top; tap "Agent … logged in" at the top to come back here at any time. You are logged out automatically after a while without use.</translation>
        </message>
        <message>
            <source>帮办员 {agent}，您好。请选择要做的事：</source>
            <translation>Hello, agent {agent}. What would you like to do?</translation>
        </message>
    </context>
    <context>
        <name>AgentLoginScreen</name>
        <message>
            <source>工作人员登录（帮办代办员）</source>
            <translation>Staff login (service agents)</translation>
        </message>
        <message>
            <source>账号</source>
            <translation>Account</translation>
        </message>
        <message>
            <source>密码</source>
            <translation>Password</translation>
        </message>
        <message>
            <source>登录</source>
            <translation>Log in</translation>
        </message>
        <message>
            <source>仅供帮办代办员使用。办事群众请点“返回”。</source>
            <translation>For service agents only. Residents, please tap "Back".</translation>
        </message>
        <message>
            <source>正在核对，请稍候…</source>
            <translation>Checking, please wait…</translation>
        </message>
    </context>
    <context>
        <name>AgentMessages</name>
        <message>
            <source>请检查账号和密码后重新输入</source>
            <translation>Please check your account and password and enter them again</translation>
        </message>
        <message>
            <source>请联网同步后再试，或联系乡镇便民服务中心</source>
            <translation>Please sync with the network and try again, or contact the town service centre</translation>
        </message>
        <message>
            <source>账号或密码不对，请再试一次</source>
            <translation>Wrong account or password, please try again</translation>
        </message>
        <message>
            <source>输错次数太多，已暂时锁定，请在 {time} 后再试</source>
            <translation>Too many wrong attempts. Login is locked for now; please try again after {time}</translation>
        </message>
        <message>
            <source>忘记密码请联系乡镇便民服务中心重置</source>
            <translation>If you forgot your password, ask the town service centre to reset it</translation>
        </message>
        <message>
            <source>这个帮办员账号已停用，请联系乡镇便民服务中心</source>
            <translation>This agent account has been disabled; please contact the town service centre</translation>
        </message>
        <message>
            <source>这个帮办员账号要到 {time} 才能使用</source>
            <translation>This agent account can only be used from {time}</translation>
        </message>
        <message>
            <source>这个帮办员账号已于 {time} 到期</source>
            <translation>This agent account expired on {time}</translation>
        </message>
        <message>
            <source>本机还没有同步帮办员账号，请联网同步后再试</source>
            <translation>No agent accounts have been synced to this terminal yet; please sync with the network and try again</translation>
        </message>
        <message>
            <source>仍不行请联系乡镇便民服务中心</source>
            <translation>If it still does not work, contact the town service centre</translation>
        </message>
        <message>
            <source>请输入账号和密码</source>
            <translation>Please enter your account and password</translation>
        </message>
        <message>
            <source>先点账号框输入账号，再点密码框输入密码</source>
            <translation>Tap the account box to enter your account, then the password box to enter your password</translation>
        </message>
        <message>
            <source>暂时无法登录</source>
            <translation>Cannot log in right now</translation>
        </message>
        <message>
            <source>请稍后再试；仍不行请联系乡镇便民服务中心</source>
            <translation>Please try again later; if it still does not work, contact the town service centre</translation>
        </message>
        <message>
            <source>诉求没有保存成功</source>
            <translation>The request was not saved</translation>
        </message>
        <message>
            <source>填写的内容还在，请再点一次“提交”；仍不行请联系技术人员</source>
            <translation>What you entered is still here. Please tap "Submit" again; if it still does not work, contact technical support</translation>
        </message>
        <message>
            <source>已保存为草稿</source>
            <translation>Saved as a draft</translation>
        </message>
        <message>
            <source>在“我的工作队列”里点“继续办理”接着办；群众须再刷一次证件。草稿过期会自动删除。</source>
            <translation>In "My work queue", tap "Continue" to carry on; the resident must show their ID again. Expired drafts are deleted automatically.</translation>
        </message>
    </context>
    <context>
        <name>App</name>
        <message>
            <source>舟到办</source>
            <translation>Zhoudaoban</translation>
        </message>
    </context>
    <context>
        <name>BenefitOffer</name>
        <message>
            <source>免申即享：
看看我还能享受什么</source>
            <translation>Benefits without applying:
what else can I receive?</translation>
        </message>
        <message>
            <source>✓ 已登记 {n} 项待遇
部门核实后办理</source>
            <translation>✓ {n} benefit(s) registered
handled once verified</translation>
        </message>
    </context>
    <context>
        <name>BenefitsScreen</name>
        <message>
            <source>年龄（由证件上的出生日期算出）</source>
            <translation>Age (worked out from the date of birth on your ID)</translation>
        </message>
        <message>
            <source>性别</source>
            <translation>Gender</translation>
        </message>
        <message>
            <source>证件号码前6位（地区代码）</source>
            <translation>First 6 digits of your ID number (area code)</translation>
        </message>
        <message>
            <source>证件上的住址（户籍所在地）</source>
            <translation>Address on your ID (household registration)</translation>
        </message>
        <message>
            <source>您持有《残疾人证》吗？</source>
            <translation>Do you hold a disability certificate?</translation>
        </message>
        <message>
            <source>您的残疾等级是一级或二级吗？</source>
            <translation>Is your disability grade 1 or 2?</translation>
        </message>
        <message>
            <source>您是退役军人吗？</source>
            <translation>Are you a military veteran?</translation>
        </message>
        <message>
            <source>您家享受低保或低保边缘吗？</source>
            <translation>Does your household receive minimum or near-minimum living support?</translation>
        </message>
        <message>
            <source>免申即享：看看您还能享受哪些待遇</source>
            <translation>Benefits without applying: see what else you can receive</translation>
        </message>
        <message>
            <source>如您同意，我们用下面的信息查一查您符合哪些惠民政策，查完不保存。只有您点了“我要享受”的，才把您的姓名、证件号码和相关情况交给主管部门办理。</source>
            <translation>If you agree, we use the information below to check which public benefits you qualify for; it is not kept afterwards. Only for the benefits you choose with "I want this" are your name, ID number and the relevant answers passed to the department in charge.</translation>
        </message>
        <message>
            <source>不用了</source>
            <translation>No, thanks</translation>
        </message>
        <message>
            <source>同意，帮我查一查</source>
            <translation>I agree, check for me</translation>
        </message>
        <message>
            <source>来自您的证件：{facts}</source>
            <translation>From your ID: {facts}</translation>
        </message>
        <message>
            <source>以下情况由您自己告诉我们，工作人员会核实</source>
            <translation>Please tell us the following yourself; staff will verify it</translation>
        </message>
        <message>
            <source>不清楚的可以不选，不选就不按这一条查。</source>
            <translation>If you are not sure, leave it: it is then not used in the check.</translation>
        </message>
        <message>
            <source>是</source>
            <translation>Yes</translation>
        </message>
        <message>
            <source>否</source>
            <translation>No</translation>
        </message>
        <message>
            <source>{question}：{answer}</source>
            <translation>{question}: {answer}</translation>
        </message>
        <message>
            <source>全部享受</source>
            <translation>I want them all</translation>
        </message>
        <message>
            <source>完成</source>
            <translation>Done</translation>
        </message>
        <message>
            <source>您可以享受以下 {n} 项待遇，点“我要享受”即可，不用另外申请</source>
            <translation>You can receive the following {n} benefit(s). Tap "I want this"; no application needed</translation>
        </message>
        <message>
            <source>暂未查到您可以享受的待遇</source>
            <translation>No benefits found for you at the moment</translation>
        </message>
        <message>
            <source>另有 {n} 项您此前已在本机确认过，相关部门正在办理。</source>
            <translation>{n} more you already confirmed at this kiosk; the departments are handling them.</translation>
        </message>
        <message>
            <source>办理部门：{department}</source>
            <translation>Department: {department}</translation>
        </message>
        <message>
            <source>接下来：{next}</source>
            <translation>What happens next: {next}</translation>
        </message>
        <message>
            <source>我要享受</source>
            <translation>I want this</translation>
        </message>
        <message>
            <source>我要享受：{name}</source>
            <translation>I want this: {name}</translation>
        </message>
        <message>
            <source>✓ 已登记，无需再办</source>
            <translation>✓ Registered, nothing more to do</translation>
        </message>
        <message>
            <source>！没能保存，请再点一次；仍不行请联系工作人员</source>
            <translation>! Not saved. Please tap again; if it still fails, ask staff</translation>
        </message>
    </context>
    <context>
        <name>Booking</name>
        <message>
            <source>这个时段在本机已约满</source>
            <translation>This time slot is full on this terminal</translation>
        </message>
        <message>
            <source>请选择其他时段。</source>
            <translation>Please choose another time slot.</translation>
        </message>
        <message>
            <source>这个时段已取消或已过</source>
            <translation>This time slot was cancelled or has passed</translation>
        </message>
        <message>
            <source>有一条预约未能确认（时段已被其他站点约满或已取消）</source>
            <translation>A booking could not be confirmed (the time slot was filled by another station or cancelled)</translation>
        </message>
        <message>
            <source>请到“我的工作队列”点“重新预约”。</source>
            <translation>Go to "My work queue" and tap "Rebook".</translation>
        </message>
    </context>
    <context>
        <name>BookingScreen</name>
        <message>
            <source>预约到站 / 上门办</source>
            <translation>Book a station visit / home visit</translation>
        </message>
        <message>
            <source>到站办理</source>
            <translation>Visit the station</translation>
        </message>
        <message>
            <source>上门办（行动不便的群众）</source>
            <translation>Home visit (for residents who cannot easily get out)</translation>
        </message>
        <message>
            <source>请群众评价本次服务</source>
            <translation>Ask the resident to rate this service</translation>
        </message>
        <message>
            <source>确认预约</source>
            <translation>Confirm booking</translation>
        </message>
        <message>
            <source>群众姓名</source>
            <translation>Resident's name</translation>
        </message>
        <message>
            <source>联系电话</source>
            <translation>Phone number</translation>
        </message>
        <message>
            <source>上门地址（村、路、门牌）</source>
            <translation>Home address (village, road, house number)</translation>
        </message>
        <message>
            <source>事由（如：养老资格认证）</source>
            <translation>Reason (e.g. pension eligibility check)</translation>
        </message>
        <message>
            <source>正在读取可预约时段…</source>
            <translation>Loading available time slots…</translation>
        </message>
        <message>
            <source>暂无可预约的时段。时段由镇便民服务中心发布，联网后更新。</source>
            <translation>No time slots are available. The town service centre publishes them; they update when the terminal is online.</translation>
        </message>
        <message>
            <source>请选择日期和时段（灰色为已约满）：</source>
            <translation>Choose a date and a time slot (grey ones are full):</translation>
        </message>
        <message>
            <source>{month}月{day}日</source>
            <translation>{day}/{month}</translation>
        </message>
        <message>
            <source>已约满</source>
            <translation>Full</translation>
        </message>
        <message>
            <source>余 {n} 个</source>
            <translation>{n} left</translation>
        </message>
        <message>
            <source>还没有选择时段</source>
            <translation>No time slot chosen yet</translation>
        </message>
        <message>
            <source>请先点选日期和时段。</source>
            <translation>Please tap a date and a time slot first.</translation>
        </message>
        <message>
            <source>姓名</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>上门地址</source>
            <translation>Home address</translation>
        </message>
        <message>
            <source>请补全：{fields}</source>
            <translation>Please fill in: {fields}</translation>
        </message>
        <message>
            <source>电话请填数字，便于工作人员联系群众。</source>
            <translation>Please enter the phone number in digits, so staff can reach the resident.</translation>
        </message>
        <message>
            <source>已预约 {slot}：待确认（联网后确认）。确认或改约会显示在“我的工作队列”。</source>
            <translation>Booked for {slot}: waiting for confirmation (confirmed once online). Confirmations or changes will appear in "My work queue".</translation>
        </message>
    </context>
    <context>
        <name>BrowseController</name>
        <message>
            <source>我要…</source>
            <translation>I want to…</translation>
        </message>
        <message>
            <source>请选一件您要办的事：</source>
            <translation>Choose what you want to do:</translation>
        </message>
        <message>
            <source>按类别找</source>
            <translation>By category</translation>
        </message>
        <message>
            <source>请选一个类别：</source>
            <translation>Choose a category:</translation>
        </message>
        <message>
            <source>几件相关的事，一次申请，同样的信息只填一次：</source>
            <translation>Several related services in one application; the same details are entered only once:</translation>
        </message>
        <message>
            <source>一件事 · 一次办</source>
            <translation>All in one go</translation>
        </message>
    </context>
    <context>
        <name>ChatController</name>
        <message>
            <source>人工咨询</source>
            <translation>Ask a person</translation>
        </message>
        <message>
            <source>人工咨询：与工作人员文字对话</source>
            <translation>Ask a person: text chat with staff</translation>
        </message>
    </context>
    <context>
        <name>ChatScreen</name>
        <message>
            <source>！发送太快了，请稍等几秒再发</source>
            <translation>! Sending too fast; please wait a few seconds</translation>
        </message>
        <message>
            <source>！这条消息没有发出，请换个说法再试</source>
            <translation>! This message was not sent; please rephrase it and try again</translation>
        </message>
        <message>
            <source>好的，谢谢</source>
            <translation>OK, thank you</translation>
        </message>
        <message>
            <source>我没看明白，请再说一遍</source>
            <translation>I didn't understand, please say it again</translation>
        </message>
        <message>
            <source>请稍等</source>
            <translation>One moment, please</translation>
        </message>
        <message>
            <source>请输入您的问题，点“发送”。工作人员会尽快回复。</source>
            <translation>Type your question and tap "Send". Staff will answer shortly.</translation>
        </message>
        <message>
            <source>已发送，工作人员正在查看，请稍候…</source>
            <translation>Sent. A staff member is reading it, please wait…</translation>
        </message>
        <message>
            <source>工作人员已回复。您可以继续提问。</source>
            <translation>Staff have answered. You may ask more.</translation>
        </message>
        <message>
            <source>工作人员已结束本次对话</source>
            <translation>Staff have ended this chat</translation>
        </message>
        <message>
            <source>本次对话已结束</source>
            <translation>This chat has ended</translation>
        </message>
        <message>
            <source>对话因长时间没有连接已结束</source>
            <translation>The chat ended because the connection was lost for too long</translation>
        </message>
        <message>
            <source>人工咨询 · 与工作人员对话</source>
            <translation>Ask a person · chat with staff</translation>
        </message>
        <message>
            <source>在这里输入，例如：低保什么时候发？</source>
            <translation>Type here, e.g. When is the subsistence allowance paid?</translation>
        </message>
        <message>
            <source>发送</source>
            <translation>Send</translation>
        </message>
        <message>
            <source>结束对话</source>
            <translation>End chat</translation>
        </message>
        <message>
            <source>！网络中断，暂时联系不上工作人员</source>
            <translation>! The network is down; staff cannot be reached for now</translation>
        </message>
        <message>
            <source>留下回电请求</source>
            <translation>Ask for a call back</translation>
        </message>
        <message>
            <source>再试一次</source>
            <translation>Try again</translation>
        </message>
        <message>
            <source>返回首页</source>
            <translation>Back to home</translation>
        </message>
        <message>
            <source>工作人员</source>
            <translation>Staff</translation>
        </message>
        <message>
            <source>我</source>
            <translation>Me</translation>
        </message>
        <message>
            <source>我 · 发送中…</source>
            <translation>Me · sending…</translation>
        </message>
        <message>
            <source>我 · ！未发出</source>
            <translation>Me · ! not sent</translation>
        </message>
        <message>
            <source>{who}：{text}</source>
            <translation>{who}: {text}</translation>
        </message>
        <message>
            <source>！请输入 1 到 {n} 个字，不要用特殊符号</source>
            <translation>! Please type 1 to {n} characters, without special symbols</translation>
        </message>
        <message>
            <source>您可以留下回电请求，工作人员会给您回电；也可以稍后再试一次。</source>
            <translation>You can ask for a call back and staff will phone you, or try again later.</translation>
        </message>
        <message>
            <source>请稍后再试一次，或请站内工作人员帮忙。</source>
            <translation>Please try again later, or ask the staff at this station for help.</translation>
        </message>
    </context>
    <context>
        <name>ConfirmScreen</name>
        <message>
            <source>请核对您的申请</source>
            <translation>Please check your application</translation>
        </message>
        <message>
            <source>正在保存，请稍候…</source>
            <translation>Saving, please wait…</translation>
        </message>
        <message>
            <source>返回修改</source>
            <translation>Go back and change</translation>
        </message>
        <message>
            <source>确认提交</source>
            <translation>Submit</translation>
        </message>
        <message>
            <source>拍摄材料</source>
            <translation>Photograph documents</translation>
        </message>
        <message>
            <source>办理事项：{item}</source>
            <translation>Service: {item}</translation>
        </message>
        <message>
            <source>{label}：</source>
            <translation>{label}:</translation>
        </message>
        <message>
            <source>（未填）</source>
            <translation>(not filled in)</translation>
        </message>
        <message>
            <source>已拍摄材料 {n} 页，将随申请一起提交</source>
            <translation>{n} page(s) of documents photographed; they will be sent with the application</translation>
        </message>
        <message>
            <source>重试</source>
            <translation>Try again</translation>
        </message>
        <message>
            <source>请核对下面的信息。没问题请点“确认提交”，要修改请点“返回修改”。</source>
            <translation>Please check the details below. If they are right, tap “Submit”; to change something, tap “Go back and edit”.</translation>
        </message>
    </context>
    <context>
        <name>ConsentScreen</name>
        <message>
            <source>请群众本人确认：同意帮办员代为办理</source>
            <translation>Resident, please confirm: you agree that the agent applies for you</translation>
        </message>
        <message>
            <source>同意请在下面白框里签名：</source>
            <translation>If you agree, please sign in the white box below:</translation>
        </message>
        <message>
            <source>清除</source>
            <translation>Clear</translation>
        </message>
        <message>
            <source>确认签名</source>
            <translation>Confirm signature</translation>
        </message>
        <message>
            <source>不方便签名，也可以：</source>
            <translation>If signing is difficult, you can also:</translation>
        </message>
        <message>
            <source>用浙里办码确认</source>
            <translation>Confirm with your Zheliban code</translation>
        </message>
        <message>
            <source>请出示您本人的浙里办码（亮证），对准扫码口</source>
            <translation>Please show your own Zheliban code ("Show ID") to the scanner</translation>
        </message>
        <message>
            <source>群众不同意，取消办理</source>
            <translation>The resident does not agree: cancel</translation>
        </message>
        <message>
            <source>请把您本人的浙里办码对准扫码口</source>
            <translation>Please hold your own Zheliban code to the scanner</translation>
        </message>
        <message>
            <source>打开浙里办 → 亮证 → 出示二维码</source>
            <translation>Open Zheliban → Show ID → show the QR code</translation>
        </message>
        <message>
            <source>取消</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <source>请群众本人签署告知承诺书</source>
            <translation>Resident, please sign the commitment letter</translation>
        </message>
        <message>
            <source>负责审批的部门</source>
            <translation>the department that approves it</translation>
        </message>
        <message>
            <source>{name}，帮办员 {agent} 将替您在本机申请“{item}”。您刚核对过的信息会交给{to}办理。您同意，才会提交；不同意，什么都不会保存。</source>
            <translation>{name}, agent {agent} will apply for "{item}" on this terminal for you. The details you just checked will go to {to}. It is only submitted if you agree; if you do not, nothing is saved.</translation>
        </message>
    </context>
    <context>
        <name>CrashNotice</name>
        <message>
            <source>刚才出了点问题，请重新开始</source>
            <translation>Something went wrong. Please start again</translation>
        </message>
    </context>
    <context>
        <name>DatabasePanel</name>
        <message>
            <source>数据库</source>
            <translation>Database</translation>
        </message>
        <message>
            <source>检查完整性</source>
            <translation>Check integrity</translation>
        </message>
        <message>
            <source>立即备份</source>
            <translation>Back up now</translation>
        </message>
        <message>
            <source>刷新</source>
            <translation>Refresh</translation>
        </message>
        <message>
            <source>取消</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <source>确认恢复并重启</source>
            <translation>Confirm restore and restart</translation>
        </message>
        <message>
            <source>技术员通知</source>
            <translation>Technician notice</translation>
        </message>
        <message>
            <source>备份</source>
            <translation>Backups</translation>
        </message>
        <message>
            <source>还没有备份</source>
            <translation>No backups yet</translation>
        </message>
        <message>
            <source>导出诊断到U盘（加密）</source>
            <translation>Export diagnostics to USB stick (encrypted)</translation>
        </message>
        <message>
            <source>未设置区级诊断公钥（diagnostics_public_key），不能导出</source>
            <translation>No district diagnostics key set (diagnostics_public_key): cannot export</translation>
        </message>
        <message>
            <source>未找到U盘：请插入后点“刷新”</source>
            <translation>No USB stick found: plug one in and tap "Refresh"</translation>
        </message>
        <message>
            <source>导出诊断到U盘</source>
            <translation>Export diagnostics to USB stick</translation>
        </message>
        <message>
            <source>知道了</source>
            <translation>OK</translation>
        </message>
        <message>
            <source>可用于恢复</source>
            <translation>Can be restored</translation>
        </message>
        <message>
            <source>恢复</source>
            <translation>Restore</translation>
        </message>
        <message>
            <source>正在检查，数据库较大时需要一两分钟…</source>
            <translation>Checking; a large database can take a minute or two…</translation>
        </message>
        <message>
            <source>完整性：</source>
            <translation>Integrity: </translation>
        </message>
        <message>
            <source>正常</source>
            <translation>OK</translation>
        </message>
        <message numerus="yes">
            <source>外键问题：%n 处</source>
            <translation>
                <numerusform>Foreign key problems: %n</numerusform>
                <numerusform>Foreign key problems: %n</numerusform>
            </translation>
        </message>
        <message>
            <source>审计链：</source>
            <translation>Audit chain: </translation>
        </message>
        <message numerus="yes">
            <source>完整（%n 条）</source>
            <translation>
                <numerusform>complete (%n entry)</numerusform>
                <numerusform>complete (%n entries)</numerusform>
            </translation>
        </message>
        <message>
            <source>有问题：</source>
            <translation>Problems: </translation>
        </message>
        <message>
            <source>正在备份…</source>
            <translation>Backing up…</translation>
        </message>
        <message>
            <source>备份完成：</source>
            <translation>Backup finished: </translation>
        </message>
        <message>
            <source>恢复到 %1 的备份？当前数据库会改名保留，备份之后办理的记录会尽量从中带回。恢复需要重新启动本机，期间暂停服务约一分钟。</source>
            <translation>Restore the backup from %1? The current database is renamed and kept, and records made after the backup are brought back where possible. Restoring restarts the terminal; service pauses for about a minute.</translation>
        </message>
        <message>
            <source>已安排恢复：本机正在重新启动，启动时完成恢复。</source>
            <translation>Restore scheduled: the terminal is restarting and restores as it starts.</translation>
        </message>
        <message>
            <source>正在导出，请勿拔出U盘…</source>
            <translation>Exporting; do not remove the USB stick…</translation>
        </message>
        <message>
            <source>已导出（加密）：</source>
            <translation>Exported (encrypted): </translation>
        </message>
        <message>
            <source>。现在可以拔出U盘。</source>
            <translation>. You can remove the USB stick now.</translation>
        </message>
        <message>
            <source>请先以技术员身份登录</source>
            <translation>Please log in as a technician first</translation>
        </message>
        <message>
            <source>操作失败，请查看日志</source>
            <translation>The operation failed; see the logs</translation>
        </message>
    </context>
    <context>
        <name>DetailScreen</name>
        <message>
            <source>在本机申请</source>
            <translation>Apply here</translation>
        </message>
        <message>
            <source>为群众代办</source>
            <translation>Apply for the resident</translation>
        </message>
        <message>
            <source>✓ 可在本机自助办理</source>
            <translation>✓ You can do this yourself at this terminal</translation>
        </message>
        <message>
            <source>点下面的“为群众代办”，跟着提示一步一步来。</source>
            <translation>Tap "Apply for the resident" below and follow the steps one by one.</translation>
        </message>
        <message>
            <source>点下面的“在本机申请”，跟着提示一步一步来。</source>
            <translation>Tap "Apply here" below and follow the steps one by one.</translation>
        </message>
        <message>
            <source>帮办员可在本机为群众代办：点下面的“为群众代办”。</source>
            <translation>An agent can apply for residents at this terminal: tap "Apply for the resident" below.</translation>
        </message>
        <message>
            <source>本机不能自助办理，请到本服务站窗口办理</source>
            <translation>This cannot be done by yourself at this terminal; please go to this station's service desk</translation>
        </message>
        <message>
            <source>需到{place}办理</source>
            <translation>Must be done at {place}</translation>
        </message>
        <message>
            <source>办理方式：{modes}</source>
            <translation>How: {modes}</translation>
        </message>
        <message>
            <source>、</source>
            <translation>, </translation>
        </message>
        <message>
            <source>{how}　受理部门：{department}</source>
            <translation>{how}   Department: {department}</translation>
        </message>
        <message>
            <source>当场办结</source>
            <translation>Done on the spot</translation>
        </message>
        <message>
            <source>{n}个工作日</source>
            <translation>{n} working days</translation>
        </message>
        <message>
            <source>办理时限：{limit}</source>
            <translation>Time limit: {limit}</translation>
        </message>
        <message>
            <source>收费：{fee}</source>
            <translation>Fee: {fee}</translation>
        </message>
        <message>
            <source>要带的材料</source>
            <translation>What to bring</translation>
        </message>
        <message>
            <source>不需要带材料。</source>
            <translation>Nothing to bring.</translation>
        </message>
        <message>
            <source>• {name}</source>
            <translation>• {name}</translation>
        </message>
        <message>
            <source>免证办 · 不用带原件</source>
            <translation>E-licence accepted · no original needed</translation>
        </message>
        <message>
            <source>有就带，没有也行</source>
            <translation>Bring it if you have it; fine without</translation>
        </message>
        <message>
            <source>怎么办（白话版）</source>
            <translation>How to do it (plain words)</translation>
        </message>
        <message>
            <source>相关事项</source>
            <translation>Related services</translation>
        </message>
        <message>
            <source>要带的材料：{names}</source>
            <translation>What to bring: {names}</translation>
        </message>
    </context>
    <context>
        <name>DevicesPanel</name>
        <message>
            <source>设备</source>
            <translation>Devices</translation>
        </message>
        <message>
            <source>重新扫描</source>
            <translation>Scan again</translation>
        </message>
        <message>
            <source>测试打印</source>
            <translation>Test print</translation>
        </message>
        <message>
            <source>读卡测试</source>
            <translation>Card reader test</translation>
        </message>
        <message>
            <source>扫码测试</source>
            <translation>Scanner test</translation>
        </message>
        <message>
            <source>设备状态</source>
            <translation>Device status</translation>
        </message>
        <message>
            <source>读卡测试只显示证件类型和号码末四位；扫码测试只显示码的类型和校验结果。测试内容不保存、不记日志。每次测试都记入审计。</source>
            <translation>The card test shows only the document type and the last four digits; the scanner test shows only the code type and the check result. Nothing from a test is saved or logged. Every test is recorded in the audit log.</translation>
        </message>
        <message>
            <source>已重新扫描设备</source>
            <translation>Devices scanned again</translation>
        </message>
        <message>
            <source>设备状态读取失败</source>
            <translation>Could not read the device status</translation>
        </message>
        <message>
            <source>详情见日志</source>
            <translation>See the logs for details</translation>
        </message>
        <message>
            <source>— 不使用</source>
            <translation>— not used</translation>
        </message>
        <message>
            <source>可在“设置”中修改 {key} 启用</source>
            <translation>Can be turned on by changing {key} in "Settings"</translation>
        </message>
        <message>
            <source>故障代码：{code}</source>
            <translation>Fault code: {code}</translation>
        </message>
        <message>
            <source>测试出错（{detail}）</source>
            <translation>Test failed ({detail})</translation>
        </message>
        <message>
            <source>详情见“日志”</source>
            <translation>See "Logs" for details</translation>
        </message>
        <message>
            <source>测试出错</source>
            <translation>Test failed</translation>
        </message>
    </context>
    <context>
        <name>DocCapture</name>
        <message>
            <source>没有看到材料：请把纸平放在拍摄区</source>
            <translation>No document seen: lay the paper flat in the capture area</translation>
        </message>
        <message>
            <source>材料没有完全在画面里：请往中间挪一挪</source>
            <translation>The document is not fully in the picture: move it towards the middle</translation>
        </message>
        <message>
            <source>材料太小：请放近一些</source>
            <translation>The document is too small: move it closer</translation>
        </message>
        <message>
            <source>太暗了：请打开台灯或换个亮处</source>
            <translation>Too dark: turn on the lamp or find a brighter spot</translation>
        </message>
        <message>
            <source>有点模糊：请按住纸不要动</source>
            <translation>A bit blurred: hold the paper still</translation>
        </message>
        <message>
            <source>摄像头画面异常，正在重试</source>
            <translation>The camera picture looks wrong; retrying</translation>
        </message>
        <message>
            <source>找到材料了，请保持不动…</source>
            <translation>Document found, please hold still…</translation>
        </message>
        <message>
            <source>高拍仪（拍摄材料的摄像头）无法使用</source>
            <translation>The document camera cannot be used</translation>
        </message>
        <message>
            <source>请检查高拍仪的连接线后再试；也可以不拍，提交后再补材料</source>
            <translation>Check the document camera's cable and try again; or skip the photos and hand in the documents after submitting</translation>
        </message>
        <message>
            <source>这一页拍得不够清楚</source>
            <translation>This page is not clear enough</translation>
        </message>
        <message>
            <source>请把纸放平、放近一些后再试一次</source>
            <translation>Lay the paper flat, move it closer and try again</translation>
        </message>
        <message>
            <source>没能拍到材料</source>
            <translation>Could not photograph the document</translation>
        </message>
        <message>
            <source>请把整页材料平放在拍摄区中间，按住不动，再试一次</source>
            <translation>Lay the whole page flat in the middle of the capture area, hold it still and try again</translation>
        </message>
    </context>
    <context>
        <name>DocCaptureScreen</name>
        <message>
            <source>拍摄材料</source>
            <translation>Photograph documents</translation>
        </message>
        <message>
            <source>重拍</source>
            <translation>Retake</translation>
        </message>
        <message>
            <source>使用这一页</source>
            <translation>Use this page</translation>
        </message>
        <message>
            <source>请把材料平放在拍摄区，整页都在画面里，拍好前不要移动</source>
            <translation>Lay the document flat in the capture area, with the whole page in the picture; keep it still until the photo is taken</translation>
        </message>
        <message>
            <source>已拍好。文字清楚就点“使用这一页”，否则点“重拍”</source>
            <translation>Done. If the text is clear, tap "Use this page"; otherwise tap "Retake"</translation>
        </message>
        <message>
            <source>再试一次</source>
            <translation>Try again</translation>
        </message>
    </context>
    <context>
        <name>ElderlyController</name>
        <message>
            <source>长辈模式</source>
            <translation>Senior mode</translation>
        </message>
    </context>
    <context>
        <name>FieldEditor</name>
        <message>
            <source>必填</source>
            <translation>Required</translation>
        </message>
        <message>
            <source>可不填</source>
            <translation>Optional</translation>
        </message>
        <message>
            <source>例如 2024-05-01</source>
            <translation>e.g. 2024-05-01</translation>
        </message>
        <message>
            <source>例如 13800000000</source>
            <translation>e.g. 13800000000</translation>
        </message>
        <message>
            <source>！{message}</source>
            <translation>! {message}</translation>
        </message>
    </context>
    <context>
        <name>FormScreen</name>
        <message>
            <source>填写申请</source>
            <translation>Fill in the application</translation>
        </message>
        <message>
            <source>下一步：核对信息</source>
            <translation>Next: check your details</translation>
        </message>
        <message>
            <source>保存草稿，稍后继续</source>
            <translation>Save draft, continue later</translation>
        </message>
        <message>
            <source>填写申请：{item}</source>
            <translation>Fill in the application: {item}</translation>
        </message>
        <message>
            <source>容缺受理：以下材料今天没带的，请勾选（需签告知承诺书，按期补交）</source>
            <translation>Accepted with documents to follow: tick the documents you did not bring today (you sign a commitment letter and hand them in by the deadline)</translation>
        </message>
        <message>
            <source>浙里办</source>
            <translation>Zheliban</translation>
        </message>
        <message>
            <source>社保卡</source>
            <translation>social security card</translation>
        </message>
        <message>
            <source>身份证</source>
            <translation>ID card</translation>
        </message>
        <message>
            <source>申请人：{name}　证件号：{id}（已从{source}读取）</source>
            <translation>Applicant: {name}   ID number: {id} (read from the {source})</translation>
        </message>
        <message>
            <source>！有 {n} 处需要修改，请看红色提示</source>
            <translation>! {n} item(s) need changing; see the red notes</translation>
        </message>
        <message>
            <source>请填写下面的信息，填好后点“下一步：核对信息”。</source>
            <translation>Fill in the details below, then tap “Next: check your details”.</translation>
        </message>
        <message>
            <source>必填</source>
            <translation>Required</translation>
        </message>
        <message>
            <source>可不填</source>
            <translation>Optional</translation>
        </message>
        <message>
            <source>请填写：{field}</source>
            <translation>Please fill in: {field}</translation>
        </message>
    </context>
    <context>
        <name>HomeScreen</name>
        <message>
            <source>您好！请问您要办什么事？</source>
            <translation>Hello! What would you like to do today?</translation>
        </message>
        <message>
            <source>输入要办的事，例如：社保卡</source>
            <translation>Type what you need, e.g. social security card</translation>
        </message>
        <message>
            <source>查找</source>
            <translation>Search</translation>
        </message>
        <message>
            <source>问一问 · 智能问答</source>
            <translation>Ask a question</translation>
        </message>
        <message>
            <source>长辈模式 · 大字</source>
            <translation>Senior mode · Large text</translation>
        </message>
        <message>
            <source>工作人员登录</source>
            <translation>Staff login</translation>
        </message>
        <message>
            <source>！本机的办事目录暂时不可用</source>
            <translation>! The list of services on this terminal is not available right now</translation>
        </message>
        <message>
            <source>请联系工作人员，或到镇便民服务中心办理。给您带来不便，请谅解。</source>
            <translation>Please ask the staff, or go to the town service centre. We are sorry for the trouble.</translation>
        </message>
        <message>
            <source>我要…</source>
            <translation>I want to…</translation>
        </message>
        <message>
            <source>更多“我要…” ›</source>
            <translation>More "I want to…" ›</translation>
        </message>
        <message>
            <source>其他找法</source>
            <translation>Other ways to find it</translation>
        </message>
        <message>
            <source>按类别找全部事项（{n}类）</source>
            <translation>All services by category ({n} categories)</translation>
        </message>
        <message>
            <source>一件事 · 一次办（{n}件）</source>
            <translation>All in one go ({n} bundles)</translation>
        </message>
        <message>
            <source>查询办理进度</source>
            <translation>Check application progress</translation>
        </message>
        <message>
            <source>可以在上面输入要办的事，也可以点下面的“我要…”找事项。</source>
            <translation>Type what you need above, or tap one of the “I want to…” tiles below.</translation>
        </message>
    </context>
    <context>
        <name>IdentifyScreen</name>
        <message>
            <source>请确认您的身份</source>
            <translation>Please confirm who you are</translation>
        </message>
        <message>
            <source>刷身份证</source>
            <translation>Tap your ID card</translation>
        </message>
        <message>
            <source>扫浙里办码</source>
            <translation>Scan your Zheliban code</translation>
        </message>
        <message>
            <source>把身份证平放在读卡区</source>
            <translation>Lay your ID card flat on the reader</translation>
        </message>
        <message>
            <source>打开浙里办，点“亮证”，对准扫码口</source>
            <translation>Open Zheliban, tap "Show ID" and hold it to the scanner</translation>
        </message>
        <message>
            <source>插社保卡</source>
            <translation>Insert social security card</translation>
        </message>
        <message>
            <source>把社保卡芯片朝里插入读卡口</source>
            <translation>Insert your social security card, chip first, into the card slot</translation>
        </message>
        <message>
            <source>您的信息只用于本次办理，离开后会自动清除。</source>
            <translation>Your details are used only for this application and are cleared when you leave.</translation>
        </message>
        <message>
            <source>读卡器暂不可用，请用浙里办扫码，或请工作人员帮忙</source>
            <translation>The card reader is not available; please scan your Zheliban code or ask the staff for help</translation>
        </message>
        <message>
            <source>扫码器暂不可用，请刷身份证，或请工作人员帮忙</source>
            <translation>The scanner is not available; please use your ID card or ask the staff for help</translation>
        </message>
        <message>
            <source>取消</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <source>正在办理：{item}</source>
            <translation>Applying for: {item}</translation>
        </message>
        <message>
            <source>请将身份证平放在读卡区</source>
            <translation>Please lay your ID card flat on the reader</translation>
        </message>
        <message>
            <source>正在读取，请不要移动证件…</source>
            <translation>Reading, please do not move the card…</translation>
        </message>
        <message>
            <source>请插入社保卡</source>
            <translation>Please insert your social security card</translation>
        </message>
        <message>
            <source>芯片朝里插到底，读完前不要拔卡…</source>
            <translation>Push it in all the way, chip first; do not pull it out until it has been read…</translation>
        </message>
        <message>
            <source>请把浙里办二维码对准扫码口</source>
            <translation>Please hold your Zheliban QR code to the scanner</translation>
        </message>
        <message>
            <source>打开浙里办 → 亮证 → 出示二维码</source>
            <translation>Open Zheliban → Show ID → show the QR code</translation>
        </message>
    </context>
    <context>
        <name>IdleOverlay</name>
        <message>
            <source>您还在吗？</source>
            <translation>Are you still there?</translation>
        </message>
        <message>
            <source>继续办理</source>
            <translation>Continue</translation>
        </message>
        <message>
            <source>{n} 秒后返回首页，您填写的内容会被清除</source>
            <translation>Going back to the home screen in {n} seconds; what you entered will be cleared</translation>
        </message>
    </context>
    <context>
        <name>ItemListScreen</name>
        <message>
            <source>为群众一次申请这{n}件事</source>
            <translation>Apply for these {n} services for the resident in one go</translation>
        </message>
        <message>
            <source>一次申请这{n}件事</source>
            <translation>Apply for these {n} services in one go</translation>
        </message>
        <message>
            <source>这里暂时没有事项，请返回或请工作人员帮忙。</source>
            <translation>There are no services here yet; please go back or ask the staff for help.</translation>
        </message>
        <message>
            <source>✓ 本机可办</source>
            <translation>✓ Can be done here</translation>
        </message>
        <message>
            <source>需到窗口办</source>
            <translation>Service desk only</translation>
        </message>
    </context>
    <context>
        <name>KeyboardPanel</name>
        <message>
            <source>中文拼音</source>
            <translation>Chinese (pinyin)</translation>
        </message>
        <message>
            <source>英文字母</source>
            <translation>English letters</translation>
        </message>
        <message>
            <source>清空</source>
            <translation>Clear</translation>
        </message>
        <message>
            <source>清空这一栏</source>
            <translation>Clear this field</translation>
        </message>
        <message>
            <source>完成</source>
            <translation>Done</translation>
        </message>
        <message>
            <source>完成，隐藏键盘</source>
            <translation>Done, hide the keyboard</translation>
        </message>
        <message>
            <source>正在输入：{field}</source>
            <translation>Typing: {field}</translation>
        </message>
        <message>
            <source>正在输入</source>
            <translation>Typing</translation>
        </message>
        <message>
            <source>拼音不好打？可点下面的常用词，或切换到“英文字母”打拼音首字母，如 sbk</source>
            <translation>Pinyin hard to type? Tap a common word below, or switch to “English letters” and type the pinyin initials, e.g. sbk</translation>
        </message>
    </context>
    <context>
        <name>Keypad</name>
        <message>
            <source>字母</source>
            <translation>ABC</translation>
        </message>
        <message>
            <source>清空</source>
            <translation>Clear</translation>
        </message>
        <message>
            <source>大写</source>
            <translation>Upper case</translation>
        </message>
        <message>
            <source>数字</source>
            <translation>123</translation>
        </message>
        <message>
            <source>小写</source>
            <translation>Lower case</translation>
        </message>
    </context>
    <context>
        <name>Languages</name>
        <message>
            <source>改用中文显示</source>
            <translation>Switch to Chinese</translation>
        </message>
        <message>
            <source>改用英文显示 English</source>
            <translation>Switch to English</translation>
        </message>
    </context>
    <context>
        <name>LogsPanel</name>
        <message>
            <source>全部</source>
            <translation>All</translation>
        </message>
        <message>
            <source>信息及以上</source>
            <translation>Info and above</translation>
        </message>
        <message>
            <source>警告及以上</source>
            <translation>Warnings and above</translation>
        </message>
        <message>
            <source>仅错误</source>
            <translation>Errors only</translation>
        </message>
        <message>
            <source>调试</source>
            <translation>DEBUG</translation>
        </message>
        <message>
            <source>信息</source>
            <translation>INFO</translation>
        </message>
        <message>
            <source>警告</source>
            <translation>WARNING</translation>
        </message>
        <message>
            <source>错误</source>
            <translation>ERROR</translation>
        </message>
        <message>
            <source>严重</source>
            <translation>CRITICAL</translation>
        </message>
        <message>
            <source>日志</source>
            <translation>Logs</translation>
        </message>
        <message>
            <source>‹ 较新</source>
            <translation>‹ Newer</translation>
        </message>
        <message>
            <source>较早 ›</source>
            <translation>Older ›</translation>
        </message>
        <message>
            <source>没有这一级别的日志</source>
            <translation>No log entries at this level</translation>
        </message>
        <message>
            <source>第 {p} / {n} 页 · 共 {t} 条（最新的在前）</source>
            <translation>Page {p} of {n} · {t} entries (newest first)</translation>
        </message>
        <message>
            <source>日志读取失败</source>
            <translation>Could not read the logs</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>舟到办 · 自助服务</source>
            <translation>Zhoudaoban · Self-service</translation>
        </message>
    </context>
    <context>
        <name>MaintLoginScreen</name>
        <message>
            <source>维护模式 · 技术员登录</source>
            <translation>Maintenance · Technician login</translation>
        </message>
        <message>
            <source>技术员账号（新装机器可留空）</source>
            <translation>Technician account (may be left empty on a new terminal)</translation>
        </message>
        <message>
            <source>维护密码</source>
            <translation>Maintenance password</translation>
        </message>
        <message>
            <source>进入维护</source>
            <translation>Enter maintenance</translation>
        </message>
        <message>
            <source>仅供设备维护技术员使用，每次进入和尝试都会记录。
办事群众请点“返回”。</source>
            <translation>For device maintenance technicians only; every entry and attempt is recorded.
Residents, please tap "Back".</translation>
        </message>
    </context>
    <context>
        <name>MaintMessages</name>
        <message>
            <source>连续输错多次，维护入口会暂时锁定</source>
            <translation>After several wrong attempts in a row, maintenance is locked for a while</translation>
        </message>
        <message>
            <source>请联网同步后再试，或联系运维负责人</source>
            <translation>Please sync with the network and try again, or contact the operations lead</translation>
        </message>
        <message>
            <source>账号或维护密码不对，请再试一次</source>
            <translation>Wrong account or maintenance password, please try again</translation>
        </message>
        <message>
            <source>输错次数太多，维护入口已锁定，请在 {time} 后再试</source>
            <translation>Too many wrong attempts. Maintenance is locked; please try again after {time}</translation>
        </message>
        <message>
            <source>忘记密码请联系运维负责人在服务端重置</source>
            <translation>If you forgot the password, ask the operations lead to reset it on the server</translation>
        </message>
        <message>
            <source>这个技术员账号已停用</source>
            <translation>This technician account has been disabled</translation>
        </message>
        <message>
            <source>请联系运维负责人</source>
            <translation>Please contact the operations lead</translation>
        </message>
        <message>
            <source>这个技术员账号要到 {time} 才能使用</source>
            <translation>This technician account can only be used from {time}</translation>
        </message>
        <message>
            <source>这个技术员账号已于 {time} 到期</source>
            <translation>This technician account expired on {time}</translation>
        </message>
        <message>
            <source>本机还没有技术员账号，也没有设置本机维护密码</source>
            <translation>This terminal has no technician accounts and no local maintenance password yet</translation>
        </message>
        <message>
            <source>请联网同步；新装机器可运行 python -m kiosk.technicians set-pin 设置维护密码</source>
            <translation>Please sync with the network; on a new terminal, run python -m kiosk.technicians set-pin to set a maintenance password</translation>
        </message>
        <message>
            <source>本机维护密码已停用：技术员账号已同步到本机</source>
            <translation>The local maintenance password is disabled: technician accounts have been synced to this terminal</translation>
        </message>
        <message>
            <source>请输入您的技术员账号和密码</source>
            <translation>Please enter your technician account and password</translation>
        </message>
        <message>
            <source>请输入维护密码</source>
            <translation>Please enter the maintenance password</translation>
        </message>
        <message>
            <source>账号只在尚未同步的新装机器上留空</source>
            <translation>Leave the account empty only on a new terminal that has not synced yet</translation>
        </message>
        <message>
            <source>暂时无法核对维护密码</source>
            <translation>Cannot check the maintenance password right now</translation>
        </message>
        <message>
            <source>请稍后再试；详情见日志</source>
            <translation>Please try again later; see the logs for details</translation>
        </message>
    </context>
    <context>
        <name>Maintenance</name>
        <message>
            <source>身份证读卡器</source>
            <translation>ID card reader</translation>
        </message>
        <message>
            <source>社保卡读卡器</source>
            <translation>Social security card reader</translation>
        </message>
        <message>
            <source>扫码器</source>
            <translation>QR scanner</translation>
        </message>
        <message>
            <source>回执打印机</source>
            <translation>Receipt printer</translation>
        </message>
        <message>
            <source>正在打印测试页…</source>
            <translation>Printing a test page…</translation>
        </message>
        <message>
            <source>请在 {s} 秒内把身份证放在读卡区…</source>
            <translation>Put an ID card on the reader within {s} seconds…</translation>
        </message>
        <message>
            <source>请在 {s} 秒内把二维码对准扫码窗口…</source>
            <translation>Hold a QR code to the scanner window within {s} seconds…</translation>
        </message>
        <message>
            <source>测试页已打印，请查看出纸</source>
            <translation>Test page printed; check the paper slot</translation>
        </message>
        <message>
            <source>读卡正常</source>
            <translation>Card reader works</translation>
        </message>
        <message>
            <source>扫码正常</source>
            <translation>Scanner works</translation>
        </message>
        <message>
            <source>● 正常</source>
            <translation>● OK</translation>
        </message>
        <message>
            <source>○ 未连接</source>
            <translation>○ Not connected</translation>
        </message>
        <message>
            <source>！故障</source>
            <translation>! Fault</translation>
        </message>
        <message>
            <source>从未</source>
            <translation>Never</translation>
        </message>
        <message>
            <source>无</source>
            <translation>None</translation>
        </message>
        <message>
            <source>不到1分钟</source>
            <translation>under 1 minute</translation>
        </message>
        <message>
            <source>{n}分钟</source>
            <translation>{n} min</translation>
        </message>
        <message>
            <source>{h}小时{m}分钟</source>
            <translation>{h} h {m} min</translation>
        </message>
        <message>
            <source>{n}天</source>
            <translation>{n} days</translation>
        </message>
    </context>
    <context>
        <name>MaintenanceScreen</name>
        <message>
            <source>维护模式</source>
            <translation>Maintenance</translation>
        </message>
        <message>
            <source>退出维护</source>
            <translation>Exit maintenance</translation>
        </message>
        <message>
            <source>技术员 {id}</source>
            <translation>Technician {id}</translation>
        </message>
    </context>
    <context>
        <name>Messages</name>
        <message>
            <source>请将身份证平放在读卡区，不要移动，再试一次</source>
            <translation>Please lay your ID card flat on the reader, keep it still and try again</translation>
        </message>
        <message>
            <source>您的申请已保存。请记下回执号，工作人员可为您补打</source>
            <translation>Your application has been saved. Please note the receipt number; the staff can print the receipt for you</translation>
        </message>
        <message>
            <source>没有读到身份证</source>
            <translation>Could not read the ID card</translation>
        </message>
        <message>
            <source>身份证被移开了，没有读完</source>
            <translation>The ID card was moved away before it was read</translation>
        </message>
        <message>
            <source>身份证读取失败</source>
            <translation>The ID card could not be read</translation>
        </message>
        <message>
            <source>请擦一擦证件，平放在读卡区再试一次；仍不行请改用浙里办扫码</source>
            <translation>Please wipe the card, lay it flat on the reader and try again; if it still fails, scan your Zheliban code instead</translation>
        </message>
        <message>
            <source>本机暂不支持这种证件</source>
            <translation>This terminal does not support this kind of document yet</translation>
        </message>
        <message>
            <source>请改用浙里办扫码，或联系工作人员</source>
            <translation>Please scan your Zheliban code instead, or contact the staff</translation>
        </message>
        <message>
            <source>读卡器暂不可用</source>
            <translation>The card reader is not available</translation>
        </message>
        <message>
            <source>请改用浙里办扫码或联系工作人员</source>
            <translation>Please scan your Zheliban code instead or contact the staff</translation>
        </message>
        <message>
            <source>没有扫到二维码</source>
            <translation>No QR code was scanned</translation>
        </message>
        <message>
            <source>请打开浙里办‘亮证’，把二维码对准扫码口，再试一次</source>
            <translation>Please open "Show ID" in Zheliban, hold the QR code to the scanner and try again</translation>
        </message>
        <message>
            <source>无法识别此二维码</source>
            <translation>This QR code cannot be recognised</translation>
        </message>
        <message>
            <source>请打开浙里办‘亮证’后重试</source>
            <translation>Please open "Show ID" in Zheliban and try again</translation>
        </message>
        <message>
            <source>二维码已过期</source>
            <translation>The QR code has expired</translation>
        </message>
        <message>
            <source>请在浙里办中刷新二维码后重试</source>
            <translation>Please refresh the QR code in Zheliban and try again</translation>
        </message>
        <message>
            <source>打印机离线，回执未能打印</source>
            <translation>The printer is offline; the receipt was not printed</translation>
        </message>
        <message>
            <source>打印机缺纸，回执未能打印</source>
            <translation>The printer is out of paper; the receipt was not printed</translation>
        </message>
        <message>
            <source>打印机纸仓盖打开，回执未能打印</source>
            <translation>The printer's paper cover is open; the receipt was not printed</translation>
        </message>
        <message>
            <source>打印机故障，回执未能打印</source>
            <translation>The printer has a fault; the receipt was not printed</translation>
        </message>
        <message>
            <source>扫码器暂不可用</source>
            <translation>The scanner is not available</translation>
        </message>
        <message>
            <source>请改用刷身份证，或联系工作人员</source>
            <translation>Please use your ID card instead, or contact the staff</translation>
        </message>
        <message>
            <source>找不到这个事项</source>
            <translation>This service cannot be found</translation>
        </message>
        <message>
            <source>请返回首页重新查找</source>
            <translation>Please go back to the home screen and search again</translation>
        </message>
        <message>
            <source>这个事项不能在本机办理</source>
            <translation>This service cannot be done at this terminal</translation>
        </message>
        <message>
            <source>请按办事指南到对应地点办理</source>
            <translation>Please go to the place named in the service guide</translation>
        </message>
        <message>
            <source>这个事项在本机暂停办理</source>
            <translation>This service is paused at this terminal</translation>
        </message>
        <message>
            <source>请到乡镇（街道）便民服务中心办理，或拨打 12345 政务服务热线咨询</source>
            <translation>Please go to the town (subdistrict) service centre, or call the 12345 government service hotline</translation>
        </message>
        <message>
            <source>还没有确认您的身份</source>
            <translation>We have not confirmed who you are yet</translation>
        </message>
        <message>
            <source>请先刷身份证或扫浙里办码</source>
            <translation>Please tap your ID card or scan your Zheliban code first</translation>
        </message>
        <message>
            <source>有内容需要修改</source>
            <translation>Some details need changing</translation>
        </message>
        <message>
            <source>请按红色提示修改后再提交</source>
            <translation>Please correct what the red notes say, then submit again</translation>
        </message>
        <message>
            <source>本机存储已满，申请未能保存。</source>
            <translation>This terminal's storage is full; the application was not saved. </translation>
        </message>
        <message>
            <source>请联系工作人员。您填写的内容仍保留</source>
            <translation>Please contact the staff. What you entered is still here</translation>
        </message>
        <message>
            <source>申请暂时未能保存。</source>
            <translation>The application could not be saved just now. </translation>
        </message>
        <message>
            <source>您填写的内容仍保留，请点“重试”；仍不行请联系工作人员</source>
            <translation>What you entered is still here. Please tap "Try again"; if it still fails, contact the staff</translation>
        </message>
        <message>
            <source>这份申请已经提交过了</source>
            <translation>This application has already been submitted</translation>
        </message>
        <message>
            <source>请查看您的回执号</source>
            <translation>Please look at your receipt number</translation>
        </message>
        <message>
            <source>本机已较长时间未能联网上报，暂停受理新的申请</source>
            <translation>This terminal has not been able to report online for a long time, so it is not taking new applications</translation>
        </message>
        <message>
            <source>请到镇便民服务中心办理，或请工作人员帮忙；已提交的申请不受影响</source>
            <translation>Please go to the town service centre or ask the staff for help; applications already submitted are not affected</translation>
        </message>
        <message>
            <source>申请还没有提交，没有回执可打印</source>
            <translation>The application has not been submitted yet, so there is no receipt to print</translation>
        </message>
        <message>
            <source>请先核对信息并点“确认提交”</source>
            <translation>Please check your details and tap "Submit" first</translation>
        </message>
        <message>
            <source>帮办员登录已结束</source>
            <translation>The agent's login has ended</translation>
        </message>
        <message>
            <source>请帮办员重新登录后再办理</source>
            <translation>The agent must log in again before continuing</translation>
        </message>
        <message>
            <source>还没有记录群众本人的授权</source>
            <translation>The resident's own consent has not been recorded yet</translation>
        </message>
        <message>
            <source>请群众本人在屏幕上签名，或出示本人浙里办码确认；填写的内容仍保留</source>
            <translation>The resident must sign on the screen or confirm with their own Zheliban code; what was entered is kept</translation>
        </message>
        <message>
            <source>出示的浙里办码不是申请人本人的</source>
            <translation>The Zheliban code shown is not the applicant's own</translation>
        </message>
        <message>
            <source>请申请人本人出示浙里办码，或改为在屏幕上签名</source>
            <translation>The applicant must show their own Zheliban code, or sign on the screen instead</translation>
        </message>
        <message>
            <source>您已撤回授权，本次填写的内容已清除，没有提交</source>
            <translation>You withdrew your consent; what was entered has been cleared and nothing was submitted</translation>
        </message>
        <message>
            <source>如需办理，可随时重新开始</source>
            <translation>You can start again whenever you like</translation>
        </message>
        <message>
            <source>这个证明不能在本服务站申请</source>
            <translation>This certificate cannot be applied for at this station</translation>
        </message>
        <message>
            <source>请按办事指南到镇或区便民服务中心办理；本机没有保存任何内容</source>
            <translation>Please go to the town or district service centre as the guide says; nothing was saved on this terminal</translation>
        </message>
        <message>
            <source>这个回执号还没有可打印的证明</source>
            <translation>There is no certificate to print for this receipt number yet</translation>
        </message>
        <message>
            <source>证明出具后会自动发到本机，请稍后再查</source>
            <translation>The certificate is sent to this terminal once it is issued; please check again later</translation>
        </message>
        <message>
            <source>这份草稿已不在了（已过期或已删除）</source>
            <translation>This draft no longer exists (it expired or was deleted)</translation>
        </message>
        <message>
            <source>请重新为群众填写</source>
            <translation>Please fill it in again for the resident</translation>
        </message>
        <message>
            <source>只有帮办员代办时才能保存草稿或拍摄材料</source>
            <translation>Drafts and document photos are only possible when an agent applies for a resident</translation>
        </message>
        <message>
            <source>请工作人员登录后再办</source>
            <translation>Please ask the staff to log in first</translation>
        </message>
        <message>
            <source>这个事项不能缺材料先受理</source>
            <translation>This service cannot be accepted with documents missing</translation>
        </message>
        <message>
            <source>请带齐材料再来，或请帮办员帮忙</source>
            <translation>Please bring all the documents, or ask an agent for help</translation>
        </message>
        <message>
            <source>缺少必须当场提供的材料，暂时不能受理</source>
            <translation>A document that must be shown in person is missing, so this cannot be accepted yet</translation>
        </message>
        <message>
            <source>请带上这份材料再来办理</source>
            <translation>Please come back with this document</translation>
        </message>
        <message>
            <source>缺材料受理需要先签告知承诺书</source>
            <translation>To be accepted with documents missing, the commitment letter must be signed first</translation>
        </message>
        <message>
            <source>请群众本人签名，或取消勾选缺少的材料</source>
            <translation>The resident must sign, or untick the missing documents</translation>
        </message>
        <message>
            <source>这个事项在本机暂停办理，原因：{detail}</source>
            <translation>This service is paused at this terminal. Reason: {detail}</translation>
        </message>
        <message>
            <source>缺少“{detail}”，这份材料必须当场提供，暂时不能受理</source>
            <translation>"{detail}" is missing. It must be shown in person, so this cannot be accepted yet</translation>
        </message>
        <message>
            <source>请填写这一项</source>
            <translation>Please fill this in</translation>
        </message>
        <message>
            <source>请填写11位手机号，或带区号的座机号</source>
            <translation>Please enter an 11-digit mobile number, or a landline number with its area code</translation>
        </message>
        <message>
            <source>请只填写数字</source>
            <translation>Please enter digits only</translation>
        </message>
        <message>
            <source>请按“年-月-日”填写，例如 2024-05-01</source>
            <translation>Please enter it as "year-month-day", e.g. 2024-05-01</translation>
        </message>
        <message>
            <source>请从选项中选一个</source>
            <translation>Please choose one of the options</translation>
        </message>
        <message>
            <source>内容太长，请写在{n}个字以内</source>
            <translation>Too long: please keep it within {n} characters</translation>
        </message>
        <message>
            <source>出了点问题，这一步没有完成</source>
            <translation>Something went wrong; this step was not completed</translation>
        </message>
        <message>
            <source>请再试一次，或联系工作人员</source>
            <translation>Please try again, or contact the staff</translation>
        </message>
        <message>
            <source>非常满意</source>
            <translation>Very satisfied</translation>
        </message>
        <message>
            <source>满意</source>
            <translation>Satisfied</translation>
        </message>
        <message>
            <source>基本满意</source>
            <translation>Fairly satisfied</translation>
        </message>
        <message>
            <source>不满意</source>
            <translation>Dissatisfied</translation>
        </message>
        <message>
            <source>非常不满意</source>
            <translation>Very dissatisfied</translation>
        </message>
        <message>
            <source>办得快</source>
            <translation>Quick</translation>
        </message>
        <message>
            <source>指南看得懂</source>
            <translation>Guide easy to understand</translation>
        </message>
        <message>
            <source>操作简单</source>
            <translation>Easy to use</translation>
        </message>
        <message>
            <source>不用多跑路</source>
            <translation>Saved me a trip</translation>
        </message>
        <message>
            <source>工作人员热心</source>
            <translation>Helpful staff</translation>
        </message>
        <message>
            <source>等得太久</source>
            <translation>Waited too long</translation>
        </message>
        <message>
            <source>操作太难</source>
            <translation>Too hard to use</translation>
        </message>
        <message>
            <source>指南看不懂</source>
            <translation>Guide hard to understand</translation>
        </message>
        <message>
            <source>机器出故障</source>
            <translation>The machine broke down</translation>
        </message>
        <message>
            <source>重复填写或提交</source>
            <translation>Had to fill in or submit twice</translation>
        </message>
        <message>
            <source>事情没办成</source>
            <translation>Did not get it done</translation>
        </message>
        <message>
            <source>本便民服务站</source>
            <translation>this service station</translation>
        </message>
        <message>
            <source>乡镇（街道）便民服务中心</source>
            <translation>the town (subdistrict) service centre</translation>
        </message>
        <message>
            <source>定海区行政服务中心</source>
            <translation>the Dinghai District Administrative Service Centre</translation>
        </message>
        <message>
            <source>自助办理</source>
            <translation>Self-service</translation>
        </message>
        <message>
            <source>工作人员帮办</source>
            <translation>Staff apply for you</translation>
        </message>
        <message>
            <source>工作人员导办</source>
            <translation>Staff guide you</translation>
        </message>
        <message>
            <source>待同步</source>
            <translation>Waiting to sync</translation>
        </message>
        <message>
            <source>已送达</source>
            <translation>Delivered</translation>
        </message>
        <message>
            <source>已受理</source>
            <translation>Accepted</translation>
        </message>
        <message>
            <source>需补充材料</source>
            <translation>More documents needed</translation>
        </message>
        <message>
            <source>已办结</source>
            <translation>Completed</translation>
        </message>
        <message>
            <source>证明已出具</source>
            <translation>Certificate issued</translation>
        </message>
        <message>
            <source>已转镇审核</source>
            <translation>Passed to the town for review</translation>
        </message>
        <message>
            <source>已转区部门审核</source>
            <translation>Passed to a district department for review</translation>
        </message>
        <message>
            <source>未通过</source>
            <translation>Not approved</translation>
        </message>
        <message>
            <source>已受理，已派单</source>
            <translation>Accepted, assigned</translation>
        </message>
        <message>
            <source>处理中</source>
            <translation>In progress</translation>
        </message>
        <message>
            <source>隔离待处理</source>
            <translation>Held for checking</translation>
        </message>
        <message>
            <source>预约已确认</source>
            <translation>Booking confirmed</translation>
        </message>
        <message>
            <source>预约未成功，请改约</source>
            <translation>Booking failed, please rebook</translation>
        </message>
        <message>
            <source>草稿</source>
            <translation>Draft</translation>
        </message>
        <message>
            <source>待审核</source>
            <translation>Waiting for review</translation>
        </message>
        <message>
            <source>审核退回</source>
            <translation>Returned by reviewer</translation>
        </message>
        <message>
            <source>材料不全</source>
            <translation>Documents incomplete</translation>
        </message>
        <message>
            <source>事项选错</source>
            <translation>Wrong service chosen</translation>
        </message>
        <message>
            <source>填写有误</source>
            <translation>Details entered wrongly</translation>
        </message>
        <message>
            <source>其他</source>
            <translation>Other</translation>
        </message>
        <message>
            <source>到站预约</source>
            <translation>Station visit booking</translation>
        </message>
        <message>
            <source>上门办预约</source>
            <translation>Home visit booking</translation>
        </message>
    </context>
    <context>
        <name>NeedFormScreen</name>
        <message>
            <source>有求必应 · 记录群众诉求</source>
            <translation>Requests and callbacks · record a resident's request</translation>
        </message>
        <message>
            <source>类别</source>
            <translation>Category</translation>
        </message>
        <message>
            <source>诉求内容</source>
            <translation>Request</translation>
        </message>
        <message>
            <source>例如 家中水管漏水，需要上门维修</source>
            <translation>e.g. the water pipe at home is leaking and needs a home repair</translation>
        </message>
        <message>
            <source>联系电话</source>
            <translation>Phone number</translation>
        </message>
        <message>
            <source>例如 13800000000</source>
            <translation>e.g. 13800000000</translation>
        </message>
        <message>
            <source>地点</source>
            <translation>Place</translation>
        </message>
        <message>
            <source>村（社区）和门牌，例如 长岛村北弄17号</source>
            <translation>Village (community) and house number, e.g. No. 17 Beinong, Changdao Village</translation>
        </message>
        <message>
            <source>提交</source>
            <translation>Submit</translation>
        </message>
        <message>
            <source>已保存在本机，联网后自动上报；办理进度在“我的工作队列”查看。</source>
            <translation>Saved on this terminal and reported automatically once online; follow its progress in "My work queue".</translation>
        </message>
        <message>
            <source>返回工作台</source>
            <translation>Back to the desk</translation>
        </message>
        <message>
            <source>再记一件</source>
            <translation>Record another</translation>
        </message>
        <message>
            <source>请群众评价本次服务</source>
            <translation>Ask the resident to rate this service</translation>
        </message>
        <message>
            <source>正在保存…</source>
            <translation>Saving…</translation>
        </message>
        <message>
            <source>！{message}</source>
            <translation>! {message}</translation>
        </message>
        <message>
            <source>！有 {n} 处需要修改，请看红色提示</source>
            <translation>! {n} item(s) need changing; see the red notes</translation>
        </message>
        <message>
            <source>诉求已记录，编号 {number}</source>
            <translation>Request recorded, number {number}</translation>
        </message>
    </context>
    <context>
        <name>NoticeBar</name>
        <message>
            <source>工作人员提示：{notice}</source>
            <translation>Staff notice: {notice}</translation>
        </message>
    </context>
    <context>
        <name>OutOfService</name>
        <message>
            <source>数据密钥丢失：请从备份恢复本机 keys 文件夹，切勿新建</source>
            <translation>Data key missing: restore this terminal's keys folder from a backup; never create a new one</translation>
        </message>
        <message>
            <source>数据密钥文件权限过宽：请改为仅本机服务账户可读（0600）</source>
            <translation>Data key file permissions too open: make it readable only by this terminal's service account (0600)</translation>
        </message>
        <message>
            <source>数据密钥无法读取（已损坏，或属于另一台设备的安全芯片）</source>
            <translation>Data key cannot be read (damaged, or it belongs to another device's security chip)</translation>
        </message>
        <message>
            <source>数据库已损坏且没有可用的备份：请联系区级技术支持，勿删除数据目录中的任何文件</source>
            <translation>The database is damaged and there is no usable backup: contact district technical support and do not delete any file in the data directory</translation>
        </message>
        <message>
            <source>本机无法安全打开数据</source>
            <translation>This terminal cannot open its data safely</translation>
        </message>
        <message>
            <source>舟到办</source>
            <translation>Zhoudaoban</translation>
        </message>
        <message>
            <source>技术员：{hint}（{code}）</source>
            <translation>Technician: {hint} ({code})</translation>
        </message>
        <message>
            <source>本机暂停服务</source>
            <translation>This terminal is out of service</translation>
        </message>
        <message>
            <source>请到附近的便民服务站或村委会办理，工作人员会帮您。</source>
            <translation>Please go to a nearby service station or your village committee; the staff there will help you.</translation>
        </message>
    </context>
    <context>
        <name>Pager</name>
        <message>
            <source>‹ 上一页</source>
            <translation>‹ Previous</translation>
        </message>
        <message>
            <source>下一页 ›</source>
            <translation>Next ›</translation>
        </message>
        <message>
            <source>第 {n} / {total} 页</source>
            <translation>Page {n} of {total}</translation>
        </message>
    </context>
    <context>
        <name>ProgressScreen</name>
        <message>
            <source>查询办理进度</source>
            <translation>Check application progress</translation>
        </message>
        <message>
            <source>输入回执号，例如 DH001-20261125-0001</source>
            <translation>Enter the receipt number, e.g. DH001-20261125-0001</translation>
        </message>
        <message>
            <source>查询</source>
            <translation>Check</translation>
        </message>
        <message>
            <source>扫回执上的二维码</source>
            <translation>Scan the QR code on the receipt</translation>
        </message>
        <message>
            <source>打印证明</source>
            <translation>Print certificate</translation>
        </message>
        <message>
            <source>评价本次服务</source>
            <translation>Rate this service</translation>
        </message>
        <message>
            <source>进度来自上次联网时的记录；没联网时显示的是本机最后知道的情况。</source>
            <translation>Progress is as of the last time the terminal was online; when offline it shows what this terminal last knew.</translation>
        </message>
        <message>
            <source>没有扫到回执上的二维码</source>
            <translation>No QR code from a receipt was scanned</translation>
        </message>
        <message>
            <source>请把回执上的二维码对准扫码口，或直接输入回执号</source>
            <translation>Hold the QR code on the receipt to the scanner, or type the receipt number</translation>
        </message>
        <message>
            <source>这不是本机的回执号</source>
            <translation>This is not a receipt number of this terminal</translation>
        </message>
        <message>
            <source>回执号像 DH001-20261125-0001，印在回执最上面</source>
            <translation>A receipt number looks like DH001-20261125-0001 and is printed at the top of the receipt</translation>
        </message>
        <message>
            <source>暂时查不到</source>
            <translation>Cannot look it up right now</translation>
        </message>
        <message>
            <source>请稍后再试，或拨打回执上的电话</source>
            <translation>Please try again later, or call the phone number on the receipt</translation>
        </message>
        <message>
            <source>本机没有这个回执号的申请</source>
            <translation>There is no application with this receipt number on this terminal</translation>
        </message>
        <message>
            <source>请核对回执号；在别处提交的申请请拨打回执上的电话查询</source>
            <translation>Please check the receipt number; for applications made elsewhere, call the phone number on the receipt</translation>
        </message>
        <message>
            <source>办理事项：{item}</source>
            <translation>Service: {item}</translation>
        </message>
        <message>
            <source>提交时间：{at}</source>
            <translation>Submitted: {at}</translation>
        </message>
        <message>
            <source>说明：{note}</source>
            <translation>Note: {note}</translation>
        </message>
        <message>
            <source>证明：{title}（编号 {number}）</source>
            <translation>Certificate: {title} (number {number})</translation>
        </message>
        <message>
            <source>正在打印证明…</source>
            <translation>Printing the certificate…</translation>
        </message>
        <message>
            <source>证明已打印，请从出纸口取走</source>
            <translation>The certificate is printed; please take it from the paper slot</translation>
        </message>
        <message>
            <source>证明没有打印出来，已保存在本机，可以再打印</source>
            <translation>The certificate was not printed; it is saved on this terminal and can be printed again</translation>
        </message>
        <message>
            <source>已受理，正在办理</source>
            <translation>Accepted and being handled</translation>
        </message>
        <message>
            <source>需要补充材料</source>
            <translation>More documents needed</translation>
        </message>
        <message>
            <source>已办结</source>
            <translation>Completed</translation>
        </message>
        <message>
            <source>证明已出具</source>
            <translation>Certificate issued</translation>
        </message>
        <message>
            <source>已转镇审核</source>
            <translation>Passed to the town for review</translation>
        </message>
        <message>
            <source>已转区部门审核</source>
            <translation>Passed to a district department for review</translation>
        </message>
        <message>
            <source>未予受理</source>
            <translation>Not accepted</translation>
        </message>
        <message>
            <source>已上报，等待受理</source>
            <translation>Reported, waiting to be accepted</translation>
        </message>
        <message>
            <source>已保存在本机，联网后自动上报</source>
            <translation>Saved on this terminal; reported automatically once online</translation>
        </message>
    </context>
    <context>
        <name>QaController</name>
        <message>
            <source>暂时没法回答，请稍后再试</source>
            <translation>Cannot answer right now, please try again later</translation>
        </message>
        <message>
            <source>也可以点“找人工”，请工作人员帮您。</source>
            <translation>You can also tap “Talk to a person” for help from staff.</translation>
        </message>
        <message>
            <source>您是想问：</source>
            <translation>Did you mean:</translation>
        </message>
        <message>
            <source>已记下，请保持电话畅通</source>
            <translation>Noted. Please keep your phone on</translation>
        </message>
        <message>
            <source>工作人员会在{hours}小时内给您回电（尾号{tail}）。</source>
            <translation>Staff will call you back within {hours} hours (number ending {tail}).</translation>
        </message>
        <message>
            <source>编号：{number}</source>
            <translation>Reference: {number}</translation>
        </message>
        <message>
            <source>没有保存成功，请再点一次“提交”，或请工作人员帮忙</source>
            <translation>Not saved. Tap “Submit” again or ask the staff for help</translation>
        </message>
        <message>
            <source>办“{name}”不需要带材料。</source>
            <translation>No documents are needed for “{name}”.</translation>
        </message>
        <message>
            <source>办“{name}”要带：</source>
            <translation>For “{name}” bring:</translation>
        </message>
        <message>
            <source>• {material}（有就带，没有也行）</source>
            <translation>• {material} (if you have it)</translation>
        </message>
        <message>
            <source>• {material}（免证办，不用带原件）</source>
            <translation>• {material} (electronic licence: no original needed)</translation>
        </message>
        <message>
            <source>• {material}</source>
            <translation>• {material}</translation>
        </message>
        <message>
            <source>办“{name}”的收费：{fee}</source>
            <translation>Fee for “{name}”: {fee}</translation>
        </message>
        <message>
            <source>“{name}”当场就能办好。</source>
            <translation>“{name}” is done on the spot.</translation>
        </message>
        <message>
            <source>“{name}”{n}个工作日内办好。</source>
            <translation>“{name}” is done within {n} working days.</translation>
        </message>
        <message>
            <source>“{name}”本机就能办：点下面的“去办理”。</source>
            <translation>“{name}” can be done at this kiosk: tap “Go to this service” below.</translation>
        </message>
        <message>
            <source>请看“{name}”的办事指南：点下面的“去办理”。</source>
            <translation>See the guide for “{name}”: tap “Go to this service” below.</translation>
        </message>
        <message>
            <source>请告诉我是办哪件事</source>
            <translation>Please tell me which service you mean</translation>
        </message>
        <message>
            <source>比如：“换身份证要带什么材料”。</source>
            <translation>For example: “What do I bring to renew my ID card?”</translation>
        </message>
        <message>
            <source>请用一句话说说您想办什么事</source>
            <translation>Please say in one sentence what you need</translation>
        </message>
        <message>
            <source>比如：“社保卡丢了怎么办”。</source>
            <translation>For example: “I lost my social security card”.</translation>
        </message>
        <message>
            <source>这个问题我还答不上来</source>
            <translation>I cannot answer this question yet</translation>
        </message>
        <message>
            <source>换个说法试试，或者点下面的“找人工”，留下电话，工作人员给您回电。</source>
            <translation>Try asking another way, or tap “Talk to a person” below and leave your number for a call back.</translation>
        </message>
        <message>
            <source>电话：{problem}</source>
            <translation>Phone: {problem}</translation>
        </message>
        <message>
            <source>您想问的事：{problem}</source>
            <translation>Your question: {problem}</translation>
        </message>
    </context>
    <context>
        <name>QaScreen</name>
        <message>
            <source>问一问 · 智能问答</source>
            <translation>Ask a question</translation>
        </message>
        <message>
            <source>用您自己的话问，比如“社保卡丢了怎么办”</source>
            <translation>Ask in your own words, e.g. “I lost my social security card”</translation>
        </message>
        <message>
            <source>在这里输入您的问题</source>
            <translation>Type your question here</translation>
        </message>
        <message>
            <source>您的问题</source>
            <translation>Your question</translation>
        </message>
        <message>
            <source>问</source>
            <translation>Ask</translation>
        </message>
        <message>
            <source>找人工 · 有求必应</source>
            <translation>Talk to a person</translation>
        </message>
        <message>
            <source>找人工</source>
            <translation>Talk to a person</translation>
        </message>
        <message>
            <source>大家常问</source>
            <translation>Frequently asked</translation>
        </message>
        <message>
            <source>您问：{q}</source>
            <translation>You asked: {q}</translation>
        </message>
        <message>
            <source>说的是：{topic}</source>
            <translation>About: {topic}</translation>
        </message>
        <message>
            <source>去办理 ›</source>
            <translation>Go to this service ›</translation>
        </message>
        <message>
            <source>现在没有工作人员在线。留下电话，工作人员给您回电。</source>
            <translation>No staff are online now. Leave your phone number and staff will call you back.</translation>
        </message>
        <message>
            <source>您想问的事</source>
            <translation>Your question</translation>
        </message>
        <message>
            <source>您的电话（点右边的数字）</source>
            <translation>Your phone number (tap the digits on the right)</translation>
        </message>
        <message>
            <source>您的电话</source>
            <translation>Your phone number</translation>
        </message>
        <message>
            <source>提交，请工作人员回电</source>
            <translation>Submit: please call me back</translation>
        </message>
        <message>
            <source>不用了，返回问答</source>
            <translation>No thanks, back to questions</translation>
        </message>
        <message>
            <source>返回问答</source>
            <translation>Back to questions</translation>
        </message>
    </context>
    <context>
        <name>RatingScreen</name>
        <message>
            <source>请为本次服务评价</source>
            <translation>Please rate this service</translation>
        </message>
        <message>
            <source>{stars}
{label}</source>
            <translation>{stars}
{label}</translation>
        </message>
        <message>
            <source>请简单说说哪里不好（{n}字以内）</source>
            <translation>Briefly, what was wrong? (up to {n} characters)</translation>
        </message>
        <message>
            <source>其他原因</source>
            <translation>Other reason</translation>
        </message>
        <message>
            <source>！请至少选一项原因，或选“其他”并写几个字</source>
            <translation>! Please choose at least one reason, or choose “Other” and write a few words</translation>
        </message>
        <message>
            <source>跳过</source>
            <translation>Skip</translation>
        </message>
        <message>
            <source>提交评价</source>
            <translation>Send rating</translation>
        </message>
        <message>
            <source>感谢您的评价！</source>
            <translation>Thank you for your rating!</translation>
        </message>
        <message>
            <source>祝您生活愉快。请带好您的身份证和回执。</source>
            <translation>Have a nice day. Please take your ID card and your receipt with you.</translation>
        </message>
        <message>
            <source>返回首页</source>
            <translation>Back to home</translation>
        </message>
        <message>
            <source>哪些方面让您满意？（可多选，也可不选）</source>
            <translation>What did you like? (choose any, or none)</translation>
        </message>
        <message>
            <source>哪里需要改进？（可多选，至少选一项）</source>
            <translation>What could be better? (choose at least one)</translation>
        </message>
        <message>
            <source>其他…</source>
            <translation>Other…</translation>
        </message>
        <message>
            <source>请点一个评价，再点“提交评价”；不想评价可以点“跳过”。</source>
            <translation>Tap a rating, then “Submit rating”; or tap “Skip”.</translation>
        </message>
        <message>
            <source>评价已提交</source>
            <translation>Rating sent</translation>
        </message>
    </context>
    <context>
        <name>ReceiptScreen</name>
        <message>
            <source>申请已提交</source>
            <translation>Application submitted</translation>
        </message>
        <message>
            <source>✓ 已安全保存，网络恢复后会自动上报</source>
            <translation>✓ Safely saved; it is reported automatically when the network is back</translation>
        </message>
        <message>
            <source>您的回执号</source>
            <translation>Your receipt number</translation>
        </message>
        <message>
            <source>再打印一次</source>
            <translation>Print again</translation>
        </message>
        <message>
            <source>下一步：评价本次服务</source>
            <translation>Next: rate this service</translation>
        </message>
        <message>
            <source>办理事项：{item}</source>
            <translation>Service: {item}</translation>
        </message>
        <message>
            <source>正在打印回执…</source>
            <translation>Printing the receipt…</translation>
        </message>
        <message>
            <source>请稍候，不要离开</source>
            <translation>Please wait, do not leave yet</translation>
        </message>
        <message>
            <source>已保存，等待审核员审核</source>
            <translation>Saved, waiting for a reviewer</translation>
        </message>
        <message>
            <source>审核通过后才发送并补打回执；可在“我的工作队列”查看（待审核）。</source>
            <translation>It is sent and the receipt printed only after approval; see "My work queue" (waiting for review).</translation>
        </message>
        <message>
            <source>✓ 回执已打印，请取走回执</source>
            <translation>✓ The receipt is printed; please take it</translation>
        </message>
        <message>
            <source>回执上有查询进度的二维码。</source>
            <translation>The receipt has a QR code for checking progress.</translation>
        </message>
        <message>
            <source>！{text}</source>
            <translation>! {text}</translation>
        </message>
        <message>
            <source>您的回执号：{number}</source>
            <translation>Your receipt number: {number}</translation>
        </message>
    </context>
    <context>
        <name>ReceiptsPanel</name>
        <message>
            <source>回执补打</source>
            <translation>Reprint receipts</translation>
        </message>
        <message>
            <source>刷新</source>
            <translation>Refresh</translation>
        </message>
        <message>
            <source>打印机缺纸、纸仓盖未合或断电时，已保存的申请欠一张回执，会列在这里。列表不显示群众姓名和证件号；补打的回执和原回执一样只印遮挡后的姓名和证件号。每次补打都记入审计。</source>
            <translation>When the printer ran out of paper, its cover was open or the power failed, saved applications still owe a receipt; they are listed here. The list shows no names or ID numbers; a reprinted receipt, like the original, shows them only masked. Every reprint is recorded in the audit log.</translation>
        </message>
        <message>
            <source>正在读取…</source>
            <translation>Loading…</translation>
        </message>
        <message>
            <source>待补打的回执 {n} 张（最早的在前）</source>
            <translation>{n} receipt(s) to reprint (oldest first)</translation>
        </message>
        <message>
            <source>没有待补打的回执</source>
            <translation>No receipts to reprint</translation>
        </message>
        <message>
            <source>待补打的回执读取失败，详情见“日志”</source>
            <translation>Could not read the receipts to reprint; see "Logs" for details</translation>
        </message>
        <message>
            <source>{item} · 提交于 {time}</source>
            <translation>{item} · submitted {time}</translation>
        </message>
        <message>
            <source>已试 {n} 次 · {fault}</source>
            <translation>Tried {n} times · {fault}</translation>
        </message>
        <message>
            <source>补打</source>
            <translation>Reprint</translation>
        </message>
        <message>
            <source>正在补打回执 {no}…</source>
            <translation>Reprinting receipt {no}…</translation>
        </message>
        <message>
            <source>故障代码：{code}</source>
            <translation>Fault code: {code}</translation>
        </message>
        <message>
            <source>回执 {no}：{words}</source>
            <translation>Receipt {no}: {words}</translation>
        </message>
        <message>
            <source>补打出错</source>
            <translation>Reprint failed</translation>
        </message>
        <message>
            <source>详情见“日志”</source>
            <translation>See "Logs" for details</translation>
        </message>
    </context>
    <context>
        <name>ReportController</name>
        <message>
            <source>办不成事</source>
            <translation>Couldn't get it done</translation>
        </message>
        <message>
            <source>办不成事，点这里反映</source>
            <translation>Couldn't get it done? Tap here to tell us</translation>
        </message>
    </context>
    <context>
        <name>ReportScreen</name>
        <message>
            <source>找不到要办的事</source>
            <translation>Can't find what I need</translation>
        </message>
        <message>
            <source>看不懂</source>
            <translation>Hard to understand</translation>
        </message>
        <message>
            <source>机器故障</source>
            <translation>Machine fault</translation>
        </message>
        <message>
            <source>材料不全办不了</source>
            <translation>Missing documents</translation>
        </message>
        <message>
            <source>要跑别处</source>
            <translation>Have to go elsewhere</translation>
        </message>
        <message>
            <source>其他…</source>
            <translation>Other…</translation>
        </message>
        <message>
            <source>办不成事？请告诉我们</source>
            <translation>Couldn't get it done? Please tell us</translation>
        </message>
        <message>
            <source>遇到了什么问题？选一项最接近的</source>
            <translation>What went wrong? Choose the closest</translation>
        </message>
        <message>
            <source>补充说明</source>
            <translation>More details</translation>
        </message>
        <message>
            <source>‹ 返回</source>
            <translation>‹ Back</translation>
        </message>
        <message>
            <source>提交</source>
            <translation>Submit</translation>
        </message>
        <message>
            <source>需要回电话吗？（可不填）</source>
            <translation>Want a call back? (optional)</translation>
        </message>
        <message>
            <source>手机或座机号码</source>
            <translation>Mobile or landline number</translation>
        </message>
        <message>
            <source>回电号码</source>
            <translation>Call-back number</translation>
        </message>
        <message>
            <source>已收到，谢谢您！</source>
            <translation>Received, thank you!</translation>
        </message>
        <message>
            <source>返回刚才的页面</source>
            <translation>Back to where you were</translation>
        </message>
        <message>
            <source>请写几个字说明（必填）</source>
            <translation>Please write a few words (required)</translation>
        </message>
        <message>
            <source>想多说几句？（可不填）</source>
            <translation>Anything to add? (optional)</translation>
        </message>
        <message>
            <source>正在保存…</source>
            <translation>Saving…</translation>
        </message>
        <message>
            <source>！请写几个字说明，{n}字以内</source>
            <translation>! Please write a few words, up to {n} characters</translation>
        </message>
        <message>
            <source>！号码不对：手机11位，座机带区号</source>
            <translation>! Wrong number: 11 digits for a mobile, a landline with its area code</translation>
        </message>
        <message>
            <source>工作人员会尽快处理，并按您留的电话回复您。</source>
            <translation>Staff will look into it soon and call you back at the number you left.</translation>
        </message>
        <message>
            <source>工作人员会尽快处理，改进我们的服务。</source>
            <translation>Staff will look into it soon to improve our service.</translation>
        </message>
    </context>
    <context>
        <name>ResidentController</name>
        <message>
            <source>申请人</source>
            <translation>Applicant</translation>
        </message>
        <message>
            <source>证件号码</source>
            <translation>ID number</translation>
        </message>
        <message>
            <source>一件事包含</source>
            <translation>This bundle includes</translation>
        </message>
        <message>
            <source>容缺受理</source>
            <translation>Accepted with documents to follow</translation>
        </message>
        <message>
            <source>请于 {date} 前补交：{materials}</source>
            <translation>Hand in by {date}: {materials}</translation>
        </message>
        <message>
            <source>包含：{items}</source>
            <translation>Includes: {items}</translation>
        </message>
        <message>
            <source>容缺受理：</source>
            <translation>Accepted with documents to follow: </translation>
        </message>
    </context>
    <context>
        <name>Review</name>
        <message>
            <source>不能审核自己代办的件</source>
            <translation>You cannot review a filing you made yourself</translation>
        </message>
        <message>
            <source>请另一位审核员审核</source>
            <translation>Please ask another reviewer</translation>
        </message>
        <message>
            <source>这一件已经审核过了</source>
            <translation>This filing has already been reviewed</translation>
        </message>
        <message>
            <source>列表已刷新</source>
            <translation>List refreshed</translation>
        </message>
        <message>
            <source>只有审核员可以审核</source>
            <translation>Only reviewers can review</translation>
        </message>
        <message>
            <source>请审核员登录</source>
            <translation>Please log in as a reviewer</translation>
        </message>
    </context>
    <context>
        <name>ReviewScreen</name>
        <message>
            <source>待审核的代办件</source>
            <translation>Agent filings waiting for review</translation>
        </message>
        <message>
            <source>正在读取…</source>
            <translation>Loading…</translation>
        </message>
        <message>
            <source>没有待审核的代办件。</source>
            <translation>No agent filings are waiting for review.</translation>
        </message>
        <message>
            <source>共 {n} 件待审核，最早的在前：</source>
            <translation>{n} filing(s) waiting for review, oldest first:</translation>
        </message>
        <message>
            <source>{item} · {who} · 帮办员 {agent} · {time}</source>
            <translation>{item} · {who} · agent {agent} · {time}</translation>
        </message>
        <message>
            <source>退回说明（可不填）</source>
            <translation>Reason for returning (optional)</translation>
        </message>
        <message>
            <source>退回：</source>
            <translation>Return: </translation>
        </message>
        <message>
            <source>通过</source>
            <translation>Approve</translation>
        </message>
    </context>
    <context>
        <name>Screen</name>
        <message>
            <source>‹ 返回</source>
            <translation>‹ Back</translation>
        </message>
        <message>
            <source>⌂ 首页</source>
            <translation>⌂ Home</translation>
        </message>
    </context>
    <context>
        <name>SearchScreen</name>
        <message>
            <source>查找事项</source>
            <translation>Find a service</translation>
        </message>
        <message>
            <source>输入要办的事，例如：社保卡</source>
            <translation>Type what you need, e.g. social security card</translation>
        </message>
        <message>
            <source>清空</source>
            <translation>Clear</translation>
        </message>
        <message>
            <source>请输入要办的事，几个字就可以</source>
            <translation>Type what you need; a few words are enough</translation>
        </message>
        <message>
            <source>一件事</source>
            <translation>Bundle</translation>
        </message>
        <message>
            <source>“{q}”找到 {n} 个事项，请点选：</source>
            <translation>{n} result(s) for "{q}"; tap one:</translation>
        </message>
        <message>
            <source>✓ 本机可办</source>
            <translation>✓ Can be done here</translation>
        </message>
        <message>
            <source>需到窗口办</source>
            <translation>Service desk only</translation>
        </message>
        <message>
            <source>没有找到“{q}”相关的事项</source>
            <translation>Nothing found for "{q}"</translation>
        </message>
        <message>
            <source>换个简单的说法试试，比如只写两三个字；或者从下面选：</source>
            <translation>Try saying it more simply, in just two or three words; or choose below:</translation>
        </message>
        <message>
            <source>按类别找全部事项 ›</source>
            <translation>All services by category ›</translation>
        </message>
        <message>
            <source>问一问 · 用自己的话问 ›</source>
            <translation>Ask in your own words ›</translation>
        </message>
        <message>
            <source>也可以请工作人员帮您查找。</source>
            <translation>You can also ask the staff to help you find it.</translation>
        </message>
        <message>
            <source>找到 {n} 项，请点选</source>
            <translation>{n} found. Tap one.</translation>
        </message>
        <message>
            <source>没有找到相关的事项</source>
            <translation>Nothing matched.</translation>
        </message>
    </context>
    <context>
        <name>SettingsPanel</name>
        <message>
            <source>点一项设置即可修改；改好后点“保存”，重启本机后生效</source>
            <translation>Tap a setting to change it; when done tap "Save"; changes take effect after a restart</translation>
        </message>
        <message>
            <source>开</source>
            <translation>On</translation>
        </message>
        <message>
            <source>关</source>
            <translation>Off</translation>
        </message>
        <message>
            <source>设置</source>
            <translation>Settings</translation>
        </message>
        <message>
            <source>保存</source>
            <translation>Save</translation>
        </message>
        <message>
            <source>放弃修改</source>
            <translation>Discard changes</translation>
        </message>
        <message>
            <source>确定</source>
            <translation>OK</translation>
        </message>
        <message>
            <source>恢复默认</source>
            <translation>Restore default</translation>
        </message>
        <message>
            <source>取消</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <source>正在读取设置…</source>
            <translation>Loading settings…</translation>
        </message>
        <message>
            <source>未填写</source>
            <translation>Not set</translation>
        </message>
        <message>
            <source>新值</source>
            <translation>New value</translation>
        </message>
        <message>
            <source>（未保存）</source>
            <translation>(not saved)</translation>
        </message>
        <message>
            <source>，重启后生效</source>
            <translation>, takes effect after a restart</translation>
        </message>
        <message>
            <source>类型：</source>
            <translation>Type: </translation>
        </message>
        <message>
            <source>默认：</source>
            <translation>Default: </translation>
        </message>
        <message>
            <source>来源：</source>
            <translation>Source: </translation>
        </message>
        <message>
            <source>可选：</source>
            <translation>Options: </translation>
        </message>
        <message>
            <source>输入新值（原值不显示）</source>
            <translation>Enter the new value (the old one is not shown)</translation>
        </message>
        <message numerus="yes">
            <source>待保存：%n 项</source>
            <translation>
                <numerusform>%n change to save</numerusform>
                <numerusform>%n changes to save</numerusform>
            </translation>
        </message>
        <message>
            <source>请先以技术员身份登录</source>
            <translation>Please log in as a technician first</translation>
        </message>
        <message>
            <source>正在保存…</source>
            <translation>Saving…</translation>
        </message>
        <message>
            <source>。需要重启本机才生效：</source>
            <translation>. Takes effect after restarting the terminal: </translation>
        </message>
        <message>
            <source>设置读取或保存失败，请查看日志</source>
            <translation>Could not read or save the settings; see the logs</translation>
        </message>
    </context>
    <context>
        <name>StatusBar</name>
        <message>
            <source>点此回到帮办首页</source>
            <translation>Tap to return to the agent desk</translation>
        </message>
        <message>
            <source>退出</source>
            <translation>Log out</translation>
        </message>
        <message>
            <source>网络状态检测中</source>
            <translation>Checking the network</translation>
        </message>
        <message>
            <source>○ 未启用上报</source>
            <translation>○ Reporting not enabled</translation>
        </message>
        <message>
            <source>帮办员 {agent} 已登录</source>
            <translation>Agent {agent} logged in</translation>
        </message>
        <message>
            <source>M月d日 dddd HH:mm</source>
            <translation>ddd d MMM HH:mm</translation>
        </message>
        <message>
            <source> · 上次上报{age}前</source>
            <translation> · last reported {age} ago</translation>
        </message>
        <message>
            <source>！暂停受理新申请  </source>
            <translation>! Not taking new applications  </translation>
        </message>
        <message>
            <source>！请尽快联网上报  </source>
            <translation>! Please get online to report soon  </translation>
        </message>
        <message>
            <source>● 已联网 · 待上报数暂不可知</source>
            <translation>● Online · number waiting unknown</translation>
        </message>
        <message>
            <source>○ 离线 · 待上报数暂不可知</source>
            <translation>○ Offline · number waiting unknown</translation>
        </message>
        <message>
            <source>● 已联网 · 正在上报 {n} 件</source>
            <translation>● Online · sending {n}</translation>
        </message>
        <message>
            <source>● 已联网 · 全部已上报</source>
            <translation>● Online · all reported</translation>
        </message>
        <message>
            <source>○ 离线 · 无待上报</source>
            <translation>○ Offline · nothing waiting</translation>
        </message>
        <message>
            <source>○ 离线 · 待上报 {n} 件</source>
            <translation>○ Offline · {n} waiting to report</translation>
        </message>
        <message>
            <source>○ 离线 · 待上报 {n} 件，最早等了{age}</source>
            <translation>○ Offline · {n} waiting to report, oldest for {age}</translation>
        </message>
        <message>
            <source>不到1分钟</source>
            <translation>under 1 minute</translation>
        </message>
        <message>
            <source>{n}分钟</source>
            <translation>{n} min</translation>
        </message>
        <message>
            <source>{n}小时</source>
            <translation>{n} h</translation>
        </message>
        <message>
            <source>{n}天</source>
            <translation>{n} days</translation>
        </message>
    </context>
    <context>
        <name>SyncPanel</name>
        <message>
            <source>申请</source>
            <translation>applications</translation>
        </message>
        <message>
            <source>审计</source>
            <translation>audit</translation>
        </message>
        <message>
            <source>评价</source>
            <translation>ratings</translation>
        </message>
        <message>
            <source>诉求</source>
            <translation>requests</translation>
        </message>
        <message>
            <source>预约</source>
            <translation>bookings</translation>
        </message>
        <message>
            <source>证明申请</source>
            <translation>certificate requests</translation>
        </message>
        <message>
            <source>授权</source>
            <translation>consents</translation>
        </message>
        <message>
            <source>连不上服务端</source>
            <translation>Cannot reach the server</translation>
        </message>
        <message>
            <source>服务端没有及时应答</source>
            <translation>The server did not answer in time</translation>
        </message>
        <message>
            <source>请求没有发出去</source>
            <translation>The request was not sent</translation>
        </message>
        <message>
            <source>服务端返回错误</source>
            <translation>The server returned an error</translation>
        </message>
        <message>
            <source>本机数据库打不开</source>
            <translation>The local database cannot be opened</translation>
        </message>
        <message>
            <source>本机的终端身份文件读不出</source>
            <translation>The terminal identity file cannot be read</translation>
        </message>
        <message>
            <source>同步程序内部出错，详情见“日志”</source>
            <translation>Internal sync error; see "Logs" for details</translation>
        </message>
        <message>
            <source>记录太大，无法上报</source>
            <translation>Record too large to report</translation>
        </message>
        <message>
            <source>服务端拒收</source>
            <translation>Refused by the server</translation>
        </message>
        <message>
            <source>服务端已停用本机</source>
            <translation>The server has disabled this terminal</translation>
        </message>
        <message>
            <source>服务端不认识本机：请重新注册</source>
            <translation>The server does not know this terminal: please enrol it again</translation>
        </message>
        <message>
            <source>同步</source>
            <translation>Sync</translation>
        </message>
        <message>
            <source>立即同步</source>
            <translation>Sync now</translation>
        </message>
        <message>
            <source>刷新</source>
            <translation>Refresh</translation>
        </message>
        <message>
            <source>隔离区（服务端拒收或本机无法发送）</source>
            <translation>Quarantine (refused by the server or cannot be sent)</translation>
        </message>
        <message>
            <source>最近的同步错误</source>
            <translation>Recent sync errors</translation>
        </message>
        <message>
            <source>{kind} · {reason} · 尝试{n}次
  {at} · {id}</source>
            <translation>{kind} · {reason} · {n} attempts
  {at} · {id}</translation>
        </message>
        <message>
            <source>隔离区是空的</source>
            <translation>Quarantine is empty</translation>
        </message>
        <message>
            <source>（连续{n}次，最近 {at}）</source>
            <translation>({n} times in a row, last {at})</translation>
        </message>
        <message>
            <source>启动以来没有同步错误</source>
            <translation>No sync errors since start-up</translation>
        </message>
        <message>
            <source>本机未启动同步（--no-sync），只能查看队列</source>
            <translation>Sync is not running on this terminal (--no-sync); the queue can only be viewed</translation>
        </message>
        <message>
            <source>同步已启动，尚未完成第一轮</source>
            <translation>Sync has started but not finished its first round</translation>
        </message>
        <message>
            <source>● 已联网</source>
            <translation>● Online</translation>
        </message>
        <message>
            <source>○ 离线</source>
            <translation>○ Offline</translation>
        </message>
        <message>
            <source>无</source>
            <translation>None</translation>
        </message>
        <message>
            <source>连接</source>
            <translation>Connection</translation>
        </message>
        <message>
            <source>上次成功同步</source>
            <translation>Last successful sync</translation>
        </message>
        <message>
            <source>待上报</source>
            <translation>Waiting to report</translation>
        </message>
        <message>
            <source>{n} 件（{kinds}）</source>
            <translation>{n} ({kinds})</translation>
        </message>
        <message>
            <source>最早一件已等</source>
            <translation>Oldest waiting for</translation>
        </message>
        <message>
            <source>待传附件</source>
            <translation>Attachments waiting</translation>
        </message>
        <message>
            <source>隔离区</source>
            <translation>Quarantine</translation>
        </message>
        <message>
            <source>{n} 件</source>
            <translation>{n}</translation>
        </message>
        <message>
            <source>上一轮错误</source>
            <translation>Last round's error</translation>
        </message>
        <message>
            <source>服务端拒绝本机</source>
            <translation>Server refuses this terminal</translation>
        </message>
        <message>
            <source>读取同步状态失败</source>
            <translation>Could not read the sync status</translation>
        </message>
        <message>
            <source>详情见“日志”</source>
            <translation>See "Logs" for details</translation>
        </message>
        <message>
            <source>已请求同步，正在等待这一轮的结果…</source>
            <translation>Sync requested; waiting for this round's result…</translation>
        </message>
        <message>
            <source>本机未启动同步，无法立即同步</source>
            <translation>Sync is not running on this terminal; cannot sync now</translation>
        </message>
        <message>
            <source>无法发起同步</source>
            <translation>Cannot start a sync</translation>
        </message>
        <message>
            <source>这一轮还没有结束</source>
            <translation>This round has not finished yet</translation>
        </message>
        <message>
            <source>可稍后点“刷新”查看</source>
            <translation>Tap "Refresh" later to see it</translation>
        </message>
        <message>
            <source>同步完成：已联网，待上报 {n} 件</source>
            <translation>Sync finished: online, {n} waiting to report</translation>
        </message>
        <message>
            <source>同步没有成功</source>
            <translation>Sync did not succeed</translation>
        </message>
    </context>
    <context>
        <name>VersionPanel</name>
        <message>
            <source>签名无效，不是本区平台发布的</source>
            <translation>Invalid signature: not published by this district's platform</translation>
        </message>
        <message>
            <source>更新说明的版本不比已收到的新</source>
            <translation>The update notice is not newer than the one already received</translation>
        </message>
        <message>
            <source>更新说明格式错误</source>
            <translation>The update notice is malformed</translation>
        </message>
        <message>
            <source>版本不比正在运行的新</source>
            <translation>The version is not newer than the running one</translation>
        </message>
        <message>
            <source>本机版本过旧，需由技术员重新安装软件包</source>
            <translation>This terminal's version is too old; a technician must reinstall the package</translation>
        </message>
        <message>
            <source>磁盘空间不足，已删除下载的部分，一小时后重试</source>
            <translation>Not enough disk space; the partial download was deleted; retrying in an hour</translation>
        </message>
        <message>
            <source>平台上找不到更新文件，一小时后重试</source>
            <translation>The update file is not on the platform; retrying in an hour</translation>
        </message>
        <message>
            <source>文件大小与签名说明不符，已删除</source>
            <translation>The file size does not match the signed notice; deleted</translation>
        </message>
        <message>
            <source>文件校验值与签名说明不符，已删除</source>
            <translation>The file checksum does not match the signed notice; deleted</translation>
        </message>
        <message>
            <source>更新包含有不安全的路径或链接</source>
            <translation>The update contains unsafe paths or links</translation>
        </message>
        <message>
            <source>更新包已损坏</source>
            <translation>The update package is damaged</translation>
        </message>
        <message>
            <source>更新包缺少主程序 main.py</source>
            <translation>The update package has no main.py</translation>
        </message>
        <message>
            <source>更新包内的版本号与说明不符</source>
            <translation>The version inside the package does not match the notice</translation>
        </message>
        <message>
            <source>数据库备份失败，未安装，下个静默时段重试</source>
            <translation>Database backup failed; not installed; retrying in the next quiet window</translation>
        </message>
        <message>
            <source>新版本多次未能启动</source>
            <translation>The new version failed to start several times</translation>
        </message>
        <message>
            <source>新版本的文件不见了</source>
            <translation>The new version's files are missing</translation>
        </message>
        <message>
            <source>找不到安装前的数据库备份，数据库未恢复，请联系技术支持</source>
            <translation>The database backup from before the install cannot be found; the database was not restored; contact technical support</translation>
        </message>
        <message>
            <source>安装成功</source>
            <translation>Installed</translation>
        </message>
        <message>
            <source>已回退</source>
            <translation>Rolled back</translation>
        </message>
        <message>
            <source>已拒绝</source>
            <translation>Refused</translation>
        </message>
        <message>
            <source>版本与更新</source>
            <translation>Version and updates</translation>
        </message>
        <message>
            <source>立即检查更新</source>
            <translation>Check for updates now</translation>
        </message>
        <message>
            <source>立即安装</source>
            <translation>Install now</translation>
        </message>
        <message>
            <source>更新记录</source>
            <translation>Update history</translation>
        </message>
        <message>
            <source>软件版本：{version}</source>
            <translation>Software version: {version}</translation>
        </message>
        <message>
            <source>由安装包管理（{root}）</source>
            <translation>Managed by the package ({root})</translation>
        </message>
        <message>
            <source>当前版本：{current}　上一版本：{previous}　本机已有：{all}</source>
            <translation>Current version: {current}   Previous: {previous}   On this terminal: {all}</translation>
        </message>
        <message>
            <source>开发环境（未设置 ZDB_APP_ROOT）：更新只下载校验，不安装</source>
            <translation>Development setup (ZDB_APP_ROOT not set): updates are downloaded and checked, not installed</translation>
        </message>
        <message>
            <source>版本记录文件无法读取：{problem}</source>
            <translation>Cannot read the version record: {problem}</translation>
        </message>
        <message>
            <source>更新说明：{notes}</source>
            <translation>Update notes: {notes}</translation>
        </message>
        <message>
            <source>自动安装时段：每天 {window}（无人使用时）</source>
            <translation>Automatic install window: daily {window} (when nobody is using it)</translation>
        </message>
        <message>
            <source>暂无</source>
            <translation>None yet</translation>
        </message>
        <message>
            <source>{version} 试运行中（已启动 {starts} 次，未确认）</source>
            <translation>{version} on trial (started {starts} times, not confirmed)</translation>
        </message>
        <message>
            <source>正在下载 {version}：{done}/{size} KB</source>
            <translation>Downloading {version}: {done}/{size} KB</translation>
        </message>
        <message>
            <source>{version} 已下载并校验（开发环境，不安装）</source>
            <translation>{version} downloaded and checked (development setup, not installed)</translation>
        </message>
        <message>
            <source>{version} 已就绪，等待静默时段安装</source>
            <translation>{version} ready; waiting for the quiet window to install</translation>
        </message>
        <message>
            <source>{version} 正在安装，终端将重启</source>
            <translation>{version} installing; the terminal will restart</translation>
        </message>
        <message>
            <source>{version} 已安装并运行正常</source>
            <translation>{version} installed and running normally</translation>
        </message>
        <message>
            <source>{version} 已拒绝：{reason}</source>
            <translation>{version} refused: {reason}</translation>
        </message>
        <message>
            <source>{version} 启动失败，已回退：{reason}</source>
            <translation>{version} failed to start and was rolled back: {reason}</translation>
        </message>
        <message>
            <source>没有待安装的更新</source>
            <translation>No update waiting to install</translation>
        </message>
        <message>
            <source>最近拒绝：{version}（{at}）{reason}</source>
            <translation>Last refused: {version} ({at}) {reason}</translation>
        </message>
        <message>
            <source>读取版本信息失败（{kind}）</source>
            <translation>Could not read the version information ({kind})</translation>
        </message>
        <message>
            <source>本机未启用同步，无法检查更新</source>
            <translation>Sync is not enabled on this terminal; cannot check for updates</translation>
        </message>
        <message>
            <source>已开始同步；有新版本时会自动下载，请稍后刷新本页查看</source>
            <translation>Sync started; a new version is downloaded automatically if there is one; refresh this page later</translation>
        </message>
        <message>
            <source>再点一次确认安装（终端将重启）</source>
            <translation>Tap again to confirm the install (the terminal will restart)</translation>
        </message>
        <message>
            <source>正在备份数据库并安装…</source>
            <translation>Backing up the database and installing…</translation>
        </message>
        <message>
            <source>{version} 已安装，正在重启…</source>
            <translation>{version} installed, restarting…</translation>
        </message>
        <message>
            <source>未安装：{reason}</source>
            <translation>Not installed: {reason}</translation>
        </message>
        <message>
            <source>没有已就绪的更新</source>
            <translation>No update is ready</translation>
        </message>
        <message>
            <source>开发环境，不安装</source>
            <translation>Development setup, not installed</translation>
        </message>
    </context>
    <context>
        <name>VoiceController</name>
        <message>
            <source>▶ 再听一遍</source>
            <translation>▶ Hear again</translation>
        </message>
        <message>
            <source>再听一遍语音提示</source>
            <translation>Hear the voice prompt again</translation>
        </message>
        <message>
            <source>语音播报开关</source>
            <translation>Voice guidance on/off</translation>
        </message>
        <message>
            <source>语音：开</source>
            <translation>Voice: on</translation>
        </message>
        <message>
            <source>语音：关</source>
            <translation>Voice: off</translation>
        </message>
    </context>
    <context>
        <name>WorkQueueScreen</name>
        <message>
            <source>我的工作队列</source>
            <translation>My work queue</translation>
        </message>
        <message>
            <source>正在读取…</source>
            <translation>Loading…</translation>
        </message>
        <message>
            <source>您在本机还没有代办记录。</source>
            <translation>You have no filings on this terminal yet.</translation>
        </message>
        <message>
            <source>您在本机代办的 {n} 件，最新的在前：</source>
            <translation>Your {n} filing(s) on this terminal, newest first:</translation>
        </message>
        <message>
            <source>（未提交）</source>
            <translation>(not submitted)</translation>
        </message>
        <message>
            <source>未核验身份</source>
            <translation>Identity not checked</translation>
        </message>
        <message>
            <source>（已按规定清除）</source>
            <translation>(cleared as required)</translation>
        </message>
        <message>
            <source>{item} · {who}</source>
            <translation>{item} · {who}</translation>
        </message>
        <message>
            <source>保存于 {time}</source>
            <translation>Saved {time}</translation>
        </message>
        <message>
            <source>提交于 {time}</source>
            <translation>Submitted {time}</translation>
        </message>
        <message>
            <source>待补材料：{materials}（{date} 前）</source>
            <translation>Documents to follow: {materials} (by {date})</translation>
        </message>
        <message>
            <source>重新预约</source>
            <translation>Rebook</translation>
        </message>
        <message>
            <source>补打回执</source>
            <translation>Reprint receipt</translation>
        </message>
        <message>
            <source>继续办理</source>
            <translation>Continue</translation>
        </message>
        <message>
            <source>删除草稿</source>
            <translation>Delete draft</translation>
        </message>
        <message>
            <source>回执 {no}：{words}</source>
            <translation>Receipt {no}: {words}</translation>
        </message>
    </context>
    <context>
        <name>_Broken</name>
        <message>
            <source>这个面板无法加载，详情见“日志”</source>
            <translation>This panel cannot be loaded; see "Logs" for details</translation>
        </message>
    </context>
</TS>
