tcp   ESTAB  0      0      10.200.61.2:45678  10.200.61.1:3306  users:(("mariadbd",pid=123,fd=30))
tcp   LISTEN 0      128    0.0.0.0:22  0.0.0.0:*  users:(("sshd",pid=1,fd=3))
tcp   ESTAB  0      0      10.200.61.2:22  10.200.61.9:50000  users:(("sshd",pid=2,fd=4))
